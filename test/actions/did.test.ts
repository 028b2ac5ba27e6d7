import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DidContext, did, queryDid } from '../../src/actions/did.js';
import { SqliteEventIndex } from '../../src/index/sqlite.js';
import { buildIndex, capture, type TempIndex } from '../helpers/cloudblame-index.js';

const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'examples', 'cloudtrail');
const datasets = join(root, '..', 'shared', 'datasets');

async function runDid(ctx: Partial<DidContext> & { db: string; principal: string }) {
  const stdout = capture();
  const stderr = capture();
  const { exitCode, result } = await did(
    { format: 'jsonl', ...ctx },
    { stdout: stdout.stream, stderr: stderr.stream },
  );
  return { exitCode, result, stdout: stdout.text(), stderr: stderr.text() };
}

function query(db: string, spec: string, options: Parameters<typeof queryDid>[2] = {}) {
  const index = SqliteEventIndex.open(db, { readonly: true });
  try {
    return queryDid(index, spec, options);
  } finally {
    index.close();
  }
}

describe('did over the example account', () => {
  let built: TempIndex;
  beforeAll(async () => {
    built = await buildIndex([examples]);
  });
  afterAll(() => built.remove());

  it("lists alice's console change by her session name", () => {
    const result = query(built.db, 'alice@example.com');
    expect(result.matcher.kind).toBe('name');
    expect(result.entries.map((e) => [e.eventName, e.how, e.eventId])).toEqual([
      ['AuthorizeSecurityGroupIngress', 'console', '5f819f6b-ec31-4b25-9821-daf6e49e9b7d'],
    ]);
    expect(result.groups).toMatchObject([
      {
        service: 'ec2',
        resources: [{ resource: { value: 'sg-0123456789abcdef0', type: 'AWS::EC2::SecurityGroup' } }],
      },
    ]);
  });

  it("groups Terraform's run by service and resource, found by role ARN or an ARN glob", () => {
    const byRole = query(built.db, 'arn:aws:iam::111122223333:role/terraform-deploy');
    const byGlob = query(built.db, 'arn:aws:sts::*:assumed-role/terraform-*/*');
    expect(byGlob.entries.map((e) => e.eventId)).toEqual(byRole.entries.map((e) => e.eventId));
    expect(byRole.groups.map((g) => g.service)).toEqual(['ec2', 'iam']);
    const ec2 = byRole.groups[0]!;
    expect(ec2.resources.map((r) => r.resource?.value)).toEqual([
      'sg-0123456789abcdef0',
      'sg-07d1e4b9a2c6f3805',
      'vpc-0a1b2c3d4e5f60718',
    ]);
    expect(ec2.resources[0]!.entries.map((e) => e.eventName)).toEqual([
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupEgress',
      'CreateSecurityGroup',
    ]);
    expect(byRole.entries.every((e) => e.how === 'Terraform')).toBe(true);
  });

  it("finds bob's change by his access key, and his read only with --all", async () => {
    const result = query(built.db, 'AKIARZ5DKQ7XMS4TQ2PL');
    expect(result.matcher.kind).toBe('access-key');
    expect(result.entries.map((e) => e.eventName)).toEqual(['ModifyDBInstance']);
    const all = await buildIndex([examples], { all: true });
    try {
      expect(query(all.db, 'bob', { includeReads: true }).entries.map((e) => e.eventName)).toEqual([
        'ModifyDBInstance',
        'DescribeDBInstances',
      ]);
    } finally {
      all.remove();
    }
  });

  it('narrows by time', () => {
    const early = query(built.db, 'terraform-run-8812', {
      range: { toMs: Date.parse('2026-11-18T09:02:12Z') },
    });
    expect(early.entries.map((e) => e.eventName)).toEqual(['CreateVpc', 'PutRolePolicy']);
  });

  it('writes a table grouped by service and resource, JSON Lines and CSV', async () => {
    const table = await runDid({
      db: built.db,
      principal: 'terraform-run-8812',
      format: 'table',
      width: 100,
    });
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(
      /^8 changes by the session, user or Identity Center user terraform-run-8812/,
    );
    expect(table.stdout).toMatch(/\nec2 \(7 calls\)\n {2}sg-0123456789abcdef0 \(AWS::EC2::SecurityGroup\)\n/);
    expect(table.stdout).toMatch(/\niam \(1 call\)\n {2}web-instance-role \(AWS::IAM::Role\)\n/);
    const jsonl = await runDid({ db: built.db, principal: 'terraform-run-8812' });
    const services = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { service: string }).service);
    expect(services).toEqual([...Array(7).fill('ec2'), 'iam']);
    const csv = await runDid({ db: built.db, principal: 'terraform-run-8812', format: 'csv' });
    expect(csv.stdout.trim().split('\r\n')).toHaveLength(9);
  });

  it('says when the principal made no calls', async () => {
    const none = await runDid({ db: built.db, principal: 'mallory' });
    expect(none.exitCode).toBe(0);
    expect(none.stderr).toMatch(/no calls by the session, user or Identity Center user mallory/);
    expect(none.stderr).toContain('the index holds events from 2026-11-18T09:02:05Z to 2026-11-18T09:32:10Z');
  });

  it('says that --all finds no reads in an index built without them', async () => {
    const reads = await runDid({ db: built.db, principal: 'carol@example.com', includeReads: true });
    expect(reads.stderr).toContain('this index holds changes only (built without --all)');
    const changes = await runDid({ db: built.db, principal: 'carol@example.com' });
    expect(changes.stderr).not.toContain('built without --all');
  });

  it('says what the index holds when the principal changed nothing in the time asked', async () => {
    const since = Date.parse('2026-11-18T09:30:00Z');
    const none = await runDid({ db: built.db, principal: 'bob', range: { fromMs: since } });
    expect(none.stderr).toMatch(/user bob made no changes between 2026-11-18T09:30:00.000Z and now/);
    expect(none.stderr).toContain('the index holds events from 2026-11-18T09:02:05Z to 2026-11-18T09:32:10Z');
  });
});

describe.skipIf(!existsSync(datasets))('did over the public data sets (../shared/datasets)', () => {
  let built: TempIndex;
  beforeAll(async () => {
    built = await buildIndex([join(datasets, 'stratus-red-team'), join(datasets, 'invictus-ir-aws-dataset')]);
  });
  afterAll(() => built?.remove());

  it("lists an attacker's defence evasion (Stratus Red Team, IAM user christophe)", () => {
    const result = query(built.db, 'christophe');
    const names = result.entries.map((e) => e.eventName);
    expect(names).toEqual(expect.arrayContaining(['StopLogging', 'DeleteTrail', 'PutEventSelectors']));
    expect(result.groups.map((g) => g.service)).toContain('cloudtrail');
  });

  it('finds what one access key changed (invictus-ir, Terraform as IAM user bert-jan)', () => {
    const result = query(built.db, 'AKIATFQR7NSC8Q4X20BJ', { limit: 0 });
    expect(result.principals.every((p) => p.startsWith('IAM user bert-jan'))).toBe(true);
    expect(result.entries.length).toBeGreaterThan(100);
    expect(result.groups.map((g) => g.service)).toEqual(
      expect.arrayContaining(['iam', 'ec2', 'secretsmanager']),
    );
  });
});
