import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LiveContext,
  MAX_LIVE_ALIASES,
  queryWho,
  queryWhoLive,
  type WhoContext,
  who,
  whoOnce,
} from '../../src/actions/who.js';
import { lookupEventsBucket } from '../../src/aws/live-lookup.js';
import { SqliteEventIndex } from '../../src/index/sqlite.js';
import { buildIndex, capture, type TempIndex } from '../helpers/cloudblame-index.js';

const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'examples', 'cloudtrail');
const datasets = join(root, '..', 'shared', 'datasets');

const SG = 'sg-0123456789abcdef0';
const ALICE_EVENT = '5f819f6b-ec31-4b25-9821-daf6e49e9b7d';
const CREATE_SG_EVENT = '6f1b6289-f36d-44df-9642-740246a75ef4';

async function runWho(ctx: Partial<WhoContext> & { db: string; resource: string }) {
  const stdout = capture();
  const stderr = capture();
  const { exitCode, result } = await who(
    { format: 'jsonl', ...ctx },
    { stdout: stdout.stream, stderr: stderr.stream },
  );
  return { exitCode, result, stdout: stdout.text(), stderr: stderr.text() };
}

/** A live context on a virtual clock: the 2-calls-per-second bucket sleeps by moving the clock. */
function liveContext(region: string): LiveContext {
  let clock = Date.parse('2026-11-21T00:00:00Z');
  const now = () => clock;
  const sleep = async (ms: number) => {
    clock += ms;
  };
  return {
    clientFor: () => new CloudTrailClient({ region }),
    region,
    now,
    sleep,
    bucket: lookupEventsBucket({ now, sleep }),
  };
}

describe('who over the example account', () => {
  let built: TempIndex;
  beforeAll(async () => {
    built = await buildIndex([examples], { all: true });
  });
  afterAll(() => built.remove());

  it("lists the security group's changes newest first: alice's console change, the rules, Terraform's create", () => {
    const result = whoOnce(built.db, SG);
    expect(result.source).toBe('index');
    expect(result.entries.map((e) => [e.eventName, e.how])).toEqual([
      ['AuthorizeSecurityGroupIngress', 'console'],
      ['AuthorizeSecurityGroupIngress', 'Terraform'],
      ['AuthorizeSecurityGroupEgress', 'Terraform'],
      ['RevokeSecurityGroupEgress', 'Terraform'],
      ['CreateSecurityGroup', 'Terraform'],
    ]);
    const alice = result.entries[0]!;
    expect(alice.eventId).toBe(ALICE_EVENT);
    expect(alice.principal.display).toContain('alice@example.com');
    expect(alice.request).toMatchObject({ groupId: SG, ipPermissions: 'tcp 22: 0.0.0.0/0' });
    expect(result.entries.at(-1)?.eventId).toBe(CREATE_SG_EVENT);
    // Dave's refused attempt and carol's look are not changes; erin's group of the same name is another account.
    expect(result.entries.every((e) => e.accountId === '111122223333' && e.errorCode === undefined)).toBe(
      true,
    );
  });

  it('shows the reads and the refused call with --all', () => {
    const result = whoOnce(built.db, SG, { includeReads: true });
    const names = result.entries.map((e) => e.eventName);
    expect(names).toContain('DescribeSecurityGroups');
    const refused = result.entries.find((e) => e.errorCode !== undefined);
    expect(refused?.errorCode).toBe('Client.UnauthorizedOperation');
    expect(refused?.principal.display).toContain('dave@example.com');
  });

  it('finds a resource by name and by ARN', () => {
    const byName = whoOnce(built.db, 'web-sg');
    expect(byName.entries.map((e) => e.eventId)).toContain(CREATE_SG_EVENT);
    const role = whoOnce(built.db, 'arn:aws:iam::111122223333:role/web-instance-role');
    expect(role.entries.map((e) => e.eventName)).toEqual(['PutRolePolicy']);
    const bucket = whoOnce(built.db, 'arn:aws:s3:::acme-app-artifacts-111122223333');
    expect(bucket.entries.map((e) => [e.eventName, e.how])).toEqual([['PutBucketVersioning', 'CLI']]);
  });

  it('says when a bare name names more than one kind of resource, and not for an ARN', async () => {
    // Auto Scaling's RunInstances names the instance profile web-instance-role; Terraform's PutRolePolicy the role.
    const byName = await runWho({ db: built.db, resource: 'web-instance-role' });
    expect(byName.result.kinds).toEqual([
      { type: 'AWS::IAM::InstanceProfile', events: 1 },
      { type: 'AWS::IAM::Role', events: 1 },
    ]);
    expect(byName.stderr).toContain(
      'web-instance-role names more than one kind of resource in these events: AWS::IAM::InstanceProfile (1 event), AWS::IAM::Role (1 event); ask by ARN for one of them',
    );
    const byArn = await runWho({
      db: built.db,
      resource: 'arn:aws:iam::111122223333:role/web-instance-role',
    });
    expect(byArn.result.kinds).toBeUndefined();
    expect(byArn.result.entries.map((e) => e.eventName)).toEqual(['PutRolePolicy']);
  });

  it('narrows by time and account, and caps with a limit', () => {
    const index = SqliteEventIndex.open(built.db, { readonly: true });
    try {
      const after = queryWho(index, SG, { range: { fromMs: Date.parse('2026-11-18T09:30:00Z') } });
      expect(after.entries.map((e) => e.eventId)).toEqual([ALICE_EVENT]);
      const before = queryWho(index, SG, { range: { toMs: Date.parse('2026-11-18T09:02:20Z') } });
      expect(before.entries.map((e) => e.eventId)).toEqual([CREATE_SG_EVENT]);
      expect(queryWho(index, SG, { accountId: '444455556666' }).entries).toEqual([]);
      const capped = queryWho(index, SG, { limit: 2 });
      expect(capped.entries).toHaveLength(2);
      expect(capped.truncated).toBe(true);
      expect(capped.entries[0]?.eventId).toBe(ALICE_EVENT);
    } finally {
      index.close();
    }
  });

  it('writes the table, JSON Lines and CSV, and says which source answered', async () => {
    const table = await runWho({ db: built.db, resource: SG, format: 'table', width: 100 });
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^5 changes to sg-0123456789abcdef0, newest first, from the index /);
    expect(table.stdout).toMatch(/console\s+AuthorizeSecurityGroupIngress\s+alice@example\.com/);
    const jsonl = await runWho({ db: built.db, resource: SG, format: 'jsonl' });
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ eventId: ALICE_EVENT, how: 'console', source: 'index' });
    expect(jsonl.stderr).toMatch(/from the index/);
    const csv = await runWho({ db: built.db, resource: SG, format: 'csv' });
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'time,account,region,service,event,principal,principal_arn,access_key_id,how,resource,resource_type,parameters,error,read_only,event_id,source',
    );
    expect(csv.stdout.trim().split('\r\n')).toHaveLength(6);
  });

  it('says when nothing is found, and suggests --live', async () => {
    const none = await runWho({ db: built.db, resource: 'sg-00000000000000000' });
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/no changes to sg-00000000000000000 found in the index .*try --live/);
    // What the index could have answered: a stale index, or a --since past its end, shows.
    expect(none.stderr).toContain('the index holds events from 2026-11-18T09:01:52Z to 2026-11-18T09:33:40Z');
  });

  it('says where an IAM id it cannot find appears, and what to ask by instead', async () => {
    // Config reports web-instance-role by its id; CloudTrail's PutRolePolicy names it only by name.
    const none = await runWho({ db: built.db, resource: 'AROARZ5DKQ7XB2NW7KFJT' });
    expect(none.stderr).toContain(
      'CloudTrail names an IAM role, user or group by its AROA… id only in the call that created it; ask by its name or ARN',
    );
    const other = await runWho({ db: built.db, resource: 'sg-00000000000000000' });
    expect(other.stderr).not.toContain('IAM role, user or group');
  });

  it('says when the index holds no events at all', async () => {
    const empty = join(built.dir, 'empty.db');
    SqliteEventIndex.open(empty).close();
    const none = await runWho({ db: empty, resource: SG });
    expect(none.exitCode).toBe(0);
    expect(none.stderr).toContain('the index holds no events yet; build it with: cloudblame index');
  });

  it('fails clearly without an index', async () => {
    const missing = await runWho({ db: join(built.dir, 'missing.db'), resource: SG });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/no event index at .*missing\.db.*cloudblame index/);
  });

  it('asks CloudTrail LookupEvents when the index has no answer (--live), and says so', async () => {
    const cloudtrail = mockClient(CloudTrailClient);
    const record = {
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/bob',
        accountId: '111122223333',
        userName: 'bob',
      },
      eventTime: '2026-11-20T10:00:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      awsRegion: 'eu-west-1',
      userAgent: 'aws-cli/2.15.0',
      requestParameters: { groupId: 'sg-0fedcba9876543210' },
      responseElements: null,
      eventID: '11111111-2222-4333-8444-555555555555',
      readOnly: false,
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    };
    const read = { ...record, eventName: 'DescribeSecurityGroups', readOnly: true, eventID: 'read-1' };
    cloudtrail.on(LookupEventsCommand).resolves({
      Events: [{ CloudTrailEvent: JSON.stringify(record) }, { CloudTrailEvent: JSON.stringify(read) }],
    });
    const live = await runWho({
      db: built.db,
      resource: 'sg-0fedcba9876543210',
      format: 'table',
      live: liveContext('eu-west-1'),
    });
    cloudtrail.restore();
    expect(live.exitCode).toBe(0);
    expect(live.result.source).toBe('lookup-events');
    expect(live.result.entries.map((e) => e.eventName)).toEqual(['AuthorizeSecurityGroupIngress']);
    expect(live.stderr).toMatch(
      /nothing about sg-0fedcba9876543210 in the index; asking CloudTrail LookupEvents/,
    );
    expect(live.stdout).toMatch(
      /1 change to sg-0fedcba9876543210, newest first, from CloudTrail LookupEvents in eu-west-1 \(1 call\)/,
    );
  });
});

describe("who over an index where a resource's other name has changes of its own", () => {
  const GROUP = 'sg-0aaa1111bbbb2222c';
  let archive: string;
  let built: TempIndex;
  const record = (n: number, minute: number, name: string, extra: Record<string, unknown>) => ({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bob', accountId: '111122223333' },
    eventTime: `2026-11-20T10:${String(minute).padStart(2, '0')}:00Z`,
    eventSource: 'ec2.amazonaws.com',
    eventName: name,
    awsRegion: 'eu-west-1',
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    responseElements: { _return: true },
    ...extra,
  });
  // The default VPC's groups take rules by name too: these name the group only as `web-sg`.
  const byId = (n: number, minute: number) =>
    record(n, minute, 'AuthorizeSecurityGroupIngress', { requestParameters: { groupId: GROUP } });
  const byName = (n: number, minute: number) =>
    record(n, minute, 'AuthorizeSecurityGroupIngress', { requestParameters: { groupName: 'web-sg' } });
  const minutes = (result: { entries: readonly { timeMs: number }[] }) =>
    result.entries.map((e) => new Date(e.timeMs).getUTCMinutes());

  beforeAll(async () => {
    archive = mkdtempSync(join(tmpdir(), 'cloudblame-alias-'));
    // Only the creation ties the name to the id, and it is the group's oldest event.
    const created = record(1, 0, 'CreateSecurityGroup', {
      requestParameters: { groupName: 'web-sg', groupDescription: 'web' },
      responseElements: { _return: true, groupId: GROUP },
    });
    const records = [
      created,
      byId(2, 10),
      byName(3, 20),
      byId(4, 30),
      byName(5, 40),
      byId(6, 50),
      byName(7, 59),
    ];
    writeFileSync(join(archive, 'trail.json'), JSON.stringify({ Records: records }));
    built = await buildIndex([archive]);
  });
  afterAll(() => {
    built?.remove();
    rmSync(archive, { recursive: true, force: true });
  });

  it('gives the newest events of the id and the name together, at any limit', () => {
    const all = whoOnce(built.db, GROUP, { limit: 0 });
    expect(minutes(all)).toEqual([59, 50, 40, 30, 20, 10, 0]);
    for (let limit = 1; limit < all.entries.length; limit++) {
      const cut = whoOnce(built.db, GROUP, { limit });
      expect(cut.aliases).toEqual(['web-sg']);
      expect(cut.entries).toEqual(all.entries.slice(0, limit));
      expect(cut.truncated).toBe(true);
    }
  });

  it('follows the name inside --since, though the creation that tied it is older', () => {
    const since = whoOnce(built.db, GROUP, { range: { fromMs: Date.parse('2026-11-20T10:35:00Z') } });
    expect(since.aliases).toEqual(['web-sg']);
    expect(minutes(since)).toEqual([59, 50, 40]);
  });
});

describe('who --live follows the names its events tie to the resource', () => {
  const ACCOUNT = '111122223333';
  const ROLE = 'deploy-role';
  const ROLE_ID = 'AROAEXAMPLEEXAMPLE123';
  const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
  const bob = {
    type: 'IAMUser',
    arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
    accountId: ACCOUNT,
    userName: 'bob',
  };

  function iamRecord(eventID: string, eventName: string, extra: Record<string, unknown>, account = ACCOUNT) {
    return JSON.stringify({
      eventVersion: '1.09',
      userIdentity: { ...bob, accountId: account, arn: `arn:aws:iam::${account}:user/bob` },
      eventTime: '2026-11-20T10:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      userAgent: 'aws-cli/2.15.0',
      responseElements: null,
      eventID,
      readOnly: false,
      eventType: 'AwsApiCall',
      recipientAccountId: account,
      ...extra,
    });
  }

  const createRole = iamRecord('create-1', 'CreateRole', {
    requestParameters: { roleName: ROLE, assumeRolePolicyDocument: '{}' },
    responseElements: {
      role: {
        path: '/',
        roleName: ROLE,
        roleId: ROLE_ID,
        arn: ROLE_ARN,
        createDate: 'Nov 20, 2026 10:00:00 AM',
      },
    },
  });
  const attachByArn = iamRecord('attach-1', 'AttachRolePolicy', {
    eventTime: '2026-11-20T11:00:00Z',
    requestParameters: { roleName: ROLE, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
  });
  const otherAccount = iamRecord(
    'other-1',
    'DeleteRole',
    { eventTime: '2026-11-20T12:00:00Z', requestParameters: { roleName: ROLE } },
    '444455556666',
  );

  /** LookupEvents answering by ResourceName from `byName`, recording the names asked. */
  function cloudTrailAnswering(byName: Record<string, string[]>) {
    const asked: string[] = [];
    const cloudtrail = mockClient(CloudTrailClient);
    cloudtrail
      .on(LookupEventsCommand)
      .callsFake((input: { LookupAttributes?: { AttributeValue?: string }[] }) => {
        const name = input.LookupAttributes?.[0]?.AttributeValue ?? '';
        asked.push(name);
        return { Events: (byName[name] ?? []).map((text) => ({ CloudTrailEvent: text })) };
      });
    return { cloudtrail, asked };
  }

  it('searches the role id and ARN a CreateRole ties to the role name, and adds what they find', async () => {
    const { cloudtrail, asked } = cloudTrailAnswering({
      [ROLE]: [createRole],
      [ROLE_ARN]: [attachByArn, createRole],
    });
    const result = await queryWhoLive(ROLE, liveContext('us-east-1'));
    cloudtrail.restore();
    expect(asked).toEqual([ROLE, ROLE_ID, ROLE_ARN]);
    expect(result.aliases).toEqual([ROLE_ID, ROLE_ARN]);
    expect(result.calls).toBe(3);
    expect(result.entries.map((e) => e.eventName)).toEqual(['AttachRolePolicy', 'CreateRole']);
  });

  it('keeps only the events of the accounts the resource was found in from an alias search', async () => {
    const { cloudtrail } = cloudTrailAnswering({ [ROLE]: [createRole], [ROLE_ARN]: [otherAccount] });
    const result = await queryWhoLive(ROLE, liveContext('us-east-1'));
    cloudtrail.restore();
    expect(result.entries.map((e) => e.eventName)).toEqual(['CreateRole']);
  });

  it(`follows at most ${MAX_LIVE_ALIASES} aliases`, async () => {
    const many = iamRecord('tags-1', 'TagRole', {
      requestParameters: { roleName: ROLE },
      responseElements: {
        role: { roleName: ROLE, roleId: ROLE_ID, arn: ROLE_ARN },
      },
    });
    // Two events tie four other names to the role between them: more than are followed.
    const other = iamRecord('profile-1', 'AddRoleToInstanceProfile', {
      requestParameters: { roleName: ROLE, instanceProfileName: 'deploy-profile' },
      responseElements: {
        role: { roleName: ROLE, roleId: 'AROAEXAMPLEEXAMPLE456', arn: `${ROLE_ARN}-2` },
      },
    });
    const { cloudtrail, asked } = cloudTrailAnswering({ [ROLE]: [many, other] });
    const result = await queryWhoLive(ROLE, liveContext('us-east-1'));
    cloudtrail.restore();
    expect(result.aliases).toEqual([ROLE_ID, ROLE_ARN, 'AROAEXAMPLEEXAMPLE456'].slice(0, MAX_LIVE_ALIASES));
    expect(asked).toEqual([ROLE, ...result.aliases]);
  });

  it('does not search aliases when the resource itself finds nothing', async () => {
    const { cloudtrail, asked } = cloudTrailAnswering({});
    const result = await queryWhoLive(ROLE, liveContext('us-east-1'));
    cloudtrail.restore();
    expect(result.source).toBe('none');
    expect(asked).toEqual([ROLE]);
  });
});

describe.skipIf(!existsSync(datasets))('who over the public data sets (../shared/datasets)', () => {
  let built: TempIndex;
  beforeAll(async () => {
    built = await buildIndex([join(datasets, 'invictus-ir-aws-dataset'), join(datasets, 'stratus-red-team')]);
  });
  afterAll(() => built?.remove());

  it('indexes them without errors', () => {
    expect(built.summary.errors).toBe(0);
    expect(built.summary.kept).toBeGreaterThan(400);
  });

  it('follows a role id that only its CreateRole response carries to the role’s other changes', () => {
    // invictus-ir: Terraform (IAM user bert-jan) creates, then deletes, stratus-red-team-ec2-get-password-data-role.
    const result = whoOnce(built.db, 'AROATFQR7NSCWWVLB7BES');
    const names = result.entries.map((e) => e.eventName);
    expect(names).toContain('CreateRole');
    expect(names).toContain('DeleteRole');
    expect(result.aliases).toContain('stratus-red-team-ec2-get-password-data-role');
    expect(result.entries.every((e) => e.principal.display.startsWith('IAM user bert-jan'))).toBe(true);
    expect(result.entries[0]!.timeMs).toBeGreaterThanOrEqual(result.entries.at(-1)!.timeMs);
  });
});
