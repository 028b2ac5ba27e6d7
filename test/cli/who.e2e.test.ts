import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

async function cloudblame(
  cwd: string,
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], { cwd });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('cloudblame index, who and did (built CLI)', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloudblame-e2e-'));
    db = join(dir, 'index', 'events.db');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('indexes the example archive, then skips it the second time', async () => {
    const first = await cloudblame(dir, 'index', join(root, 'examples', 'cloudtrail'), '--db', db);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(
      /8 files \(8 indexed, 0 unchanged, 0 failed\), 24 events read, 14 kept \(14 new/,
    );
    const second = await cloudblame(dir, 'index', join(root, 'examples', 'cloudtrail'), '--db', db);
    expect(second.stderr).toMatch(/8 files \(0 indexed, 8 unchanged, 0 failed\)/);
  });

  it('uses .cloudblame/index.db in the working directory by default', async () => {
    const result = await cloudblame(dir, 'index', join(root, 'examples', 'cloudtrail'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/into \.cloudblame\/index\.db/);
    const who = await cloudblame(dir, 'who', 'web-sg', '--format', 'jsonl');
    expect(who.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });

  it('who: the security group timeline, newest first, in each format', async () => {
    const table = await cloudblame(dir, 'who', 'sg-0123456789abcdef0', '--db', db, '--format', 'table');
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^5 changes to sg-0123456789abcdef0, newest first, from the index /);
    expect(lines[2]).toMatch(
      /^2026-11-18 09:31:05Z\s+console\s+AuthorizeSecurityGroupIngress\s+alice@example\.com/,
    );
    expect(table.stdout).toContain('ipPermissions=tcp 22: 0.0.0.0/0');
    expect(table.stdout).toMatch(/Terraform\s+CreateSecurityGroup\s+terraform-run-8812/);

    const jsonl = await cloudblame(
      dir,
      'who',
      'sg-0123456789abcdef0',
      '--db',
      db,
      '--format',
      'jsonl',
      '--since',
      '2026-11-18T09:30:00Z',
    );
    const events = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { eventName: string; how: string });
    expect(events).toEqual([
      expect.objectContaining({ eventName: 'AuthorizeSecurityGroupIngress', how: 'console' }),
    ]);

    const csv = await cloudblame(
      dir,
      'who',
      'sg-0123456789abcdef0',
      '--db',
      db,
      '--format',
      'csv',
      '--until',
      '2026-11-18T09:02:20Z',
    );
    expect(csv.stdout.split('\r\n')[1]).toMatch(
      /^2026-11-18T09:02:19\.000Z,111122223333,eu-west-1,ec2,CreateSecurityGroup,/,
    );
  });

  it('did: what alice and Terraform changed, grouped by service and resource', async () => {
    const alice = await cloudblame(dir, 'did', 'alice@example.com', '--db', db, '--format', 'table');
    expect(alice.code).toBe(0);
    expect(alice.stdout).toMatch(/^1 change by the session, user or Identity Center user alice@example\.com/);
    expect(alice.stdout).toMatch(
      /\nec2 \(1 call\)\n {2}sg-0123456789abcdef0 \(AWS::EC2::SecurityGroup\)\n {4}2026-11-18 09:31:05Z/,
    );
    const terraform = await cloudblame(
      dir,
      'did',
      'arn:aws:sts::*:assumed-role/terraform-*/*',
      '--db',
      db,
      '--format',
      'jsonl',
    );
    const services = terraform.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { service: string }).service);
    expect(services).toEqual([...Array(7).fill('ec2'), 'iam']);
  });

  it('rejects a bad time with the value and the accepted forms', async () => {
    const bad = await cloudblame(dir, 'who', 'sg-0123456789abcdef0', '--db', db, '--since', 'last tuesday');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(
      /--since.*"last tuesday" is neither a duration nor a timestamp.*7d.*2026-11-01/,
    );
  });

  it('rejects a --since after its --until, and an empty resource or principal, instead of finding nothing', async () => {
    const swapped = await cloudblame(
      dir,
      'who',
      'sg-0123456789abcdef0',
      '--db',
      db,
      '--since',
      '2026-11-18T10:00:00Z',
      '--until',
      '2026-11-18T09:00:00Z',
    );
    expect(swapped.code).not.toBe(0);
    expect(swapped.stderr).toContain(
      '--since (2026-11-18T10:00:00Z) must not be after --until (2026-11-18T09:00:00Z); swap them',
    );
    const empty = await cloudblame(dir, 'who', '', '--db', db);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('the resource must not be empty');
    const blank = await cloudblame(dir, 'did', '  ', '--db', db);
    expect(blank.code).not.toBe(0);
    expect(blank.stderr).toContain('the principal must not be empty');
  });

  it('says that --all finds no reads in an index built without --all', async () => {
    const all = await cloudblame(dir, 'who', 'sg-0123456789abcdef0', '--db', db, '--all');
    expect(all.code).toBe(0);
    expect(all.stderr).toContain(
      'this index holds changes only (built without --all), so --all finds no read-only or failed calls',
    );
  });

  it('stops quietly when the reader of its output has gone (| head)', async () => {
    const child = spawn(
      process.execPath,
      [cli, 'who', 'sg-0123456789abcdef0', '--db', db, '--format', 'table'],
      {
        cwd: dir,
      },
    );
    // Gone before the first line: every write meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('says when there is no index', async () => {
    const none = await cloudblame(dir, 'did', 'bob', '--db', join(dir, 'nope.db'));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no event index at .*nope\.db.*cloudblame index/);
  });
});
