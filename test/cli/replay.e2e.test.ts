import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertLineContract,
  alertLineSchema,
  type ChangeLineContract,
  changeLineSchema,
} from './change-line-schema.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

interface ExpectedChange {
  resourceType: string;
  resourceId: string;
  changeType: string;
  attribution: {
    status: 'attributed' | 'unattributed';
    eventId: string | null;
    principalArn?: string | null;
    channel?: string | null;
    allowedOtherEventIds?: string[];
  };
  verdict: { action: 'notify' | 'suppress'; outOfBand: boolean };
}
interface Expected {
  summary: { files: number; events: number; changes: number; attributed: number; unattributed: number };
  changes: ExpectedChange[];
  neverBlamed: { eventId: string }[];
}

const expected = JSON.parse(readFileSync(join(root, 'examples', 'expected.json'), 'utf8')) as Expected;

async function replay(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'replay', ...args], { cwd: root });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const demoArgs = [
  '--cloudtrail',
  'examples/cloudtrail',
  '--config',
  'examples/config',
  '--config-file',
  'examples/cloudblame.yaml',
];

describe('cloudblame replay on examples/ (built CLI)', () => {
  let lines: ChangeLineContract[] = [];
  let alerts: AlertLineContract[] = [];
  let firstKind: string | undefined;
  let stderr = '';

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" (npm test does) first`);
    const result = await replay(...demoArgs, '--format', 'jsonl');
    expect(result.code).toBe(0);
    stderr = result.stderr;
    const all = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string });
    lines = all.filter((l) => l.kind === 'change').map((l) => changeLineSchema.parse(l));
    alerts = all.filter((l) => l.kind === 'alert').map((l) => alertLineSchema.parse(l));
    firstKind = all[0]?.kind;
  });

  it('writes one contract-conforming line per configuration change and per alert', () => {
    expect(alerts.length).toBeGreaterThan(0);
    expect(lines).toHaveLength(expected.summary.changes);
  });

  it('leads with the out-of-band change', () => {
    expect(firstKind).toBe('change');
    const first = lines[0]!;
    const headline = expected.changes.find((c) => c.verdict.outOfBand)!;
    expect(first.verdict.outOfBand).toBe(true);
    expect(first.resource.id).toBe(headline.resourceId);
    expect(first.attribution.eventId).toBe(headline.attribution.eventId);
  });

  it.each(expected.changes.map((c) => [`${c.changeType} ${c.resourceType} ${c.resourceId}`, c] as const))(
    'attributes %s as the answer key says',
    (_label, want) => {
      const got = lines.find(
        (l) =>
          l.resource.type === want.resourceType &&
          l.resource.id === want.resourceId &&
          l.changeType === want.changeType,
      );
      expect(got, `no line for ${want.resourceId}`).toBeDefined();
      expect(got!.attribution.status).toBe(want.attribution.status);
      expect(got!.attribution.eventId).toBe(want.attribution.eventId);
      if (want.attribution.principalArn)
        expect(got!.attribution.principal?.arn).toBe(want.attribution.principalArn);
      if (want.attribution.status === 'unattributed') expect(got!.attribution.reason).toBeTruthy();
      for (const other of got!.attribution.otherEventIds) {
        expect(want.attribution.allowedOtherEventIds ?? []).toContain(other);
      }
      expect(got!.verdict.action).toBe(want.verdict.action);
      expect(got!.verdict.outOfBand).toBe(want.verdict.outOfBand);
    },
  );

  it('never blames a read, a failed call or another account', () => {
    const blamed = new Set(lines.flatMap((l) => [l.attribution.eventId, ...l.attribution.otherEventIds]));
    for (const never of expected.neverBlamed) expect(blamed.has(never.eventId), never.eventId).toBe(false);
  });

  it('alerts on the console user opening port 22 to the world, and counts the suppressed Terraform one', () => {
    const open = alerts.filter((a) => a.rule.id === 'network.security-group-open-to-world');
    expect(open.map((a) => a.event.eventId)).toContain('5f819f6b-ec31-4b25-9821-daf6e49e9b7d');
    expect(open.every((a) => !a.principal.arn?.includes('terraform-deploy'))).toBe(true);
    expect(stderr).toMatch(/2 alerts, 1 suppressed, /);
  });

  it('closes with a summary line on stderr', () => {
    const s = expected.summary;
    expect(stderr).toContain(`${s.files} files, ${s.events} events, ${s.changes} changes`);
    expect(stderr).toContain(`${s.attributed} attributed, ${s.unattributed} unattributed`);
  });

  it('prints a readable table that leads with the out-of-band change', async () => {
    const { stdout, code } = await replay(...demoArgs, '--format', 'table');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^OUT-OF-BAND .*sg-0123456789abcdef0/);
    expect(stdout).toContain('alice@example.com');
  });
});

describe('cloudblame replay on bad input', () => {
  it('reports a broken file with its name and still processes the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudblame-e2e-'));
    await writeFile(join(dir, 'broken.json'), '{"Records": [');
    const result = await replay(...demoArgs, '--cloudtrail', dir, '--format', 'jsonl');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('broken.json');
    const kinds = result.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds.filter((k) => k === 'change')).toHaveLength(expected.summary.changes);
  });

  it('exits non-zero when no input could be read at all', async () => {
    const result = await replay('--cloudtrail', '/nonexistent/cloudblame-input');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('/nonexistent/cloudblame-input');
  });

  it('exits 2 with the key named when the config file is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudblame-e2e-'));
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\ncorrelation:\n  windowMinutes: 0\n');
    const result = await replay('--config', 'examples/config', '--config-file', bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('windowMinutes');
  });

  it('refuses an --out it cannot write, or a --notify URL it cannot send to, before reading anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudblame-e2e-'));
    const missing = await replay(...demoArgs, '--out', join(dir, 'no', 'such', 'dir', 'findings.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^cloudblame: cannot write --out .*findings\.jsonl: ENOENT/);
    expect(missing.stderr).not.toMatch(/files, .* events/);
    const badUrl = await replay(...demoArgs, '--notify', 'slack=not-a-url');
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toBe('cloudblame: --notify slack-1: the webhook URL is not a valid URL\n');
  });

  it('says that without --cloudtrail no change can be attributed', async () => {
    const result = await replay('--config', 'examples/config', '--format', 'jsonl');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('no --cloudtrail input was given, so no change could be attributed');
    const both = await replay(...demoArgs, '--format', 'jsonl');
    expect(both.stderr).not.toContain('no --cloudtrail input');
  });

  it('writes findings to --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudblame-e2e-'));
    const out = join(dir, 'findings.jsonl');
    const result = await replay(...demoArgs, '--format', 'jsonl', '--out', out);
    expect(result.code).toBe(0);
    const kinds = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds.filter((k) => k === 'change')).toHaveLength(expected.summary.changes);
  });
});
