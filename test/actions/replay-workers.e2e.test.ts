/**
 * `replay --workers N` must give exactly what `--workers 1` gives: the same findings in the same order,
 * the same errors in the same order, the same summary. Run with the built CLI (worker threads load the
 * compiled worker module), like test/cli/replay.e2e.test.ts.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

async function replay(args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [cli, 'replay', '--format', 'jsonl', '--no-progress', ...args],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const ACCOUNT = '111122223333';
const RTB = 'rtb-0aa11bb22cc33dd44';
const ASSOC = 'rtbassoc-0ee55ff66aa77bb88';

function record(
  n: number,
  eventName: string,
  time: string,
  requestParameters: object,
  responseElements: object | null,
): object {
  return {
    eventVersion: '1.11',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE0000000001',
      arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
      accountId: ACCOUNT,
      userName: 'bob',
    },
    eventTime: time,
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.22.4',
    requestParameters,
    responseElements,
    requestID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventID: `11111111-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

/** A route table change whose item names no association: only the AssociateRouteTable call ties it to one. */
function routeTableChange(): object {
  return {
    messageType: 'ConfigurationItemChangeNotification',
    recordVersion: '1.3',
    notificationCreationTime: '2026-11-18T10:20:01.000Z',
    configurationItemDiff: { changedProperties: {}, changeType: 'UPDATE' },
    configurationItem: {
      relatedEvents: [],
      relationships: [],
      configuration: { routeTableId: RTB, associations: [] },
      supplementaryConfiguration: {},
      tags: {},
      configurationItemVersion: '1.3',
      configurationItemCaptureTime: '2026-11-18T10:20:00.000Z',
      configurationStateId: 1,
      awsAccountId: ACCOUNT,
      configurationItemStatus: 'OK',
      resourceType: 'AWS::EC2::RouteTable',
      resourceId: RTB,
      awsRegion: 'eu-west-1',
    },
  };
}

let dir = '';

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" (npm test does) first`);
  dir = mkdtempSync(join(tmpdir(), 'cloudblame-workers-'));
  // The demo account, plus files that exercise every path of the parallel pass.
  cpSync(join(root, 'examples', 'cloudtrail'), join(dir, 'cloudtrail'), { recursive: true });
  cpSync(join(root, 'examples', 'config'), join(dir, 'config'), { recursive: true });
  const extra = join(dir, 'cloudtrail', 'extra');
  mkdirSync(extra, { recursive: true });
  // 1. The association, in the first file; 2. only the association id, in the many files after it: kept
  // only by learning the alias, which a worker scanning a later file cannot know in time.
  writeFileSync(
    join(extra, 'a-000.json.gz'),
    gzipSync(
      JSON.stringify({
        Records: [
          record(
            0,
            'AssociateRouteTable',
            '2026-11-18T10:05:00Z',
            { routeTableId: RTB, subnetId: 'subnet-0123456789abcdef0' },
            { associationId: ASSOC },
          ),
        ],
      }),
    ),
  );
  for (let i = 1; i <= 40; i++) {
    const minute = String(5 + Math.floor(i / 4)).padStart(2, '0');
    const records = [
      record(
        i,
        'DisassociateRouteTable',
        `2026-11-18T10:${minute}:${String(i % 60).padStart(2, '0')}Z`,
        { associationId: ASSOC },
        { _return: true },
      ),
      record(
        1000 + i,
        'CreateTags',
        `2026-11-18T10:${minute}:30Z`,
        { resourcesSet: { items: [{ resourceId: 'i-0123456789abcdef0' }] } },
        { _return: true },
      ),
    ];
    writeFileSync(
      join(extra, `a-${String(i).padStart(3, '0')}.json.gz`),
      gzipSync(JSON.stringify({ Records: records })),
    );
  }
  // A Config change among the CloudTrail files: its keys count from there on, in both modes.
  writeFileSync(join(extra, 'b-config.json'), JSON.stringify(routeTableChange()));
  // Bad input, reported in order.
  writeFileSync(
    join(extra, 'c-truncated.json.gz'),
    gzipSync(JSON.stringify({ Records: [] })).subarray(0, 12),
  );
  writeFileSync(join(extra, 'd-invalid.json'), '{"Records": [');
  writeFileSync(
    join(extra, 'e-lines.jsonl'),
    `${JSON.stringify(record(2000, 'CreateTags', '2026-11-18T10:15:00Z', {}, null))}\nnot json\n`,
  );
  writeFileSync(join(dir, 'config', 'rtb.json'), JSON.stringify(routeTableChange()));
});

describe('replay --workers N', () => {
  it('gives byte for byte what --workers 1 gives, on examples/ with learning, errors and Config files mixed in', async () => {
    const args = [
      '--cloudtrail',
      join(dir, 'cloudtrail'),
      '--config',
      join(dir, 'config'),
      '--config-file',
      'examples/cloudblame.yaml',
    ];
    const single = await replay([...args, '--workers', '1']);
    expect(single.code).toBe(0);
    expect(single.stderr).toMatch(/error: .*c-truncated\.json\.gz: truncated gzip/);
    // The learned alias made the 40 disassociations, which carry only the association id, candidates.
    const rtb = single.stdout
      .split('\n')
      .filter((l) => l.includes(RTB))
      .map((l) => JSON.parse(l) as { attribution: { otherEventIds: string[] } });
    expect(rtb.length).toBe(2);
    expect(rtb[0]?.attribution.otherEventIds).toHaveLength(40);
    for (const workers of ['2', '3', 'auto']) {
      const parallel = await replay([...args, '--workers', workers]);
      expect(parallel.code).toBe(0);
      expect(parallel.stdout).toBe(single.stdout);
      expect(parallel.stderr).toBe(single.stderr);
    }
  });

  it('gives the demo its expected summary with worker threads', async () => {
    const result = await replay([
      '--cloudtrail',
      'examples/cloudtrail',
      '--config',
      'examples/config',
      '--config-file',
      'examples/cloudblame.yaml',
      '--workers',
      '2',
    ]);
    expect(result.stderr).toMatch(
      /17 files, 24 events, 8 changes, 7 attributed, 1 unattributed, 1 out-of-band/,
    );
  });
});
