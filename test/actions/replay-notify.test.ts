import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type ReplayContext, replay } from '../../src/actions/replay.js';
import { type ScriptedServer, startScriptedServer } from '../helpers/http-server.js';

const examples = join(import.meta.dirname, '..', '..', 'examples');

function context(overrides: Partial<ReplayContext>): ReplayContext {
  return {
    cloudtrailPaths: [join(examples, 'cloudtrail')],
    configPaths: [join(examples, 'config')],
    configFile: join(examples, 'cloudblame.yaml'),
    format: 'jsonl',
    progress: false,
    maxErrors: 100,
    env: {},
    ...overrides,
  };
}

function streams(): { stdout: PassThrough; stderr: PassThrough; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c));
  stdout.resume();
  return { stdout, stderr, err: () => Buffer.concat(chunks).toString('utf8') };
}

describe('replay --notify', () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('posts one Slack message per notified session burst, and nothing that was suppressed', async () => {
    server = await startScriptedServer(Array.from({ length: 10 }, () => ({ status: 200, body: 'ok' })));
    const io = streams();
    const url = `${server.origin}/services/T000/B000/secret-token`;
    const result = await replay(context({ notify: [{ kind: 'slack', url }] }), io);
    expect(result.exitCode).toBe(0);
    // alice (her out-of-band change and its alert), bob, the unattributed ENI, erin (an alert in another account).
    expect(server.requests).toHaveLength(4);
    const bodies = server.requests.map((r) => JSON.parse(r.body) as { text: string });
    expect(bodies.some((b) => b.text.includes('alice@example.com'))).toBe(true);
    expect(server.requests.some((r) => r.body.includes('terraform-run-8812'))).toBe(false);
    expect(server.requests.some((r) => r.body.includes('AWSServiceRoleForAutoScaling'))).toBe(false);
  });

  it('reports a failed delivery with exit code 3 and never prints the webhook URL', async () => {
    server = await startScriptedServer(
      Array.from({ length: 20 }, () => ({ status: 400, body: 'invalid_payload' })),
    );
    const io = streams();
    const url = `${server.origin}/services/T000/B000/secret-token`;
    const result = await replay(context({ notify: [{ kind: 'slack', url }] }), io);
    expect(result.exitCode).toBe(3);
    expect(io.err()).toContain('failed');
    expect(io.err()).not.toContain('secret-token');
  });
});

describe('replay --notify with a state file', () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const stateFile = async (): Promise<string> =>
    join(await mkdtemp(join(tmpdir(), 'cloudblame-state-')), 'notified.db');

  it('sends nothing a second time when run again over the same files', async () => {
    server = await startScriptedServer(Array.from({ length: 10 }, () => ({ status: 200, body: 'ok' })));
    const target = {
      notify: [{ kind: 'slack' as const, url: `${server.origin}/hook` }],
      notifyState: await stateFile(),
    };
    expect((await replay(context(target), streams())).exitCode).toBe(0);
    expect(server.requests).toHaveLength(4);
    const again = streams();
    expect((await replay(context(target), again)).exitCode).toBe(0);
    expect(server.requests).toHaveLength(4);
    expect(again.err()).toMatch(/notifications: 0 findings delivered, \d+ delivered before, 0 not delivered/);
  });

  it('sends only what a grown archive adds', async () => {
    server = await startScriptedServer(Array.from({ length: 10 }, () => ({ status: 200, body: 'ok' })));
    const target = {
      notify: [{ kind: 'slack' as const, url: `${server.origin}/hook` }],
      notifyState: await stateFile(),
    };
    const first = context({
      ...target,
      configPaths: [join(examples, 'config', '07-sg-update-ssh-open.eventbridge.json')],
    });
    await replay(first, streams());
    const sentFirst = server.requests.length;
    expect(server.requests.some((r) => r.body.includes('alice@example.com'))).toBe(true);
    await replay(context(target), streams());
    const later = server.requests.slice(sentFirst);
    expect(later.length).toBeGreaterThan(0);
    expect(later.some((r) => r.body.includes('eni-0c1d2e3f4a5b60789'))).toBe(true);
    expect(later.some((r) => r.body.includes('alice@example.com'))).toBe(false);
  });

  it('sends nothing, and says why, when the state file cannot be used', async () => {
    server = await startScriptedServer([{ status: 200, body: 'ok' }]);
    const io = streams();
    const notifyState = join(examples, 'README.md', 'notified.db');
    const result = await replay(
      context({ notify: [{ kind: 'slack', url: `${server.origin}/hook` }], notifyState }),
      io,
    );
    expect(result.exitCode).toBe(3);
    expect(server.requests).toHaveLength(0);
    expect(io.err()).toContain(`cannot use ${notifyState} as the record of delivered notifications`);
    expect(io.err()).toContain('no notification was sent');
  });
});

describe('replay --render', () => {
  it.each(['slack', 'teams', 'email', 'webhook'] as const)(
    'writes the %s payloads to a directory',
    async (target) => {
      const dir = await mkdtemp(join(tmpdir(), 'cloudblame-render-'));
      const result = await replay(context({ render: target, out: dir }), streams());
      expect(result.exitCode).toBe(0);
      const files = await readdir(dir);
      expect(files).toHaveLength(4);
      const first = await readFile(join(dir, files[0]!), 'utf8');
      if (target === 'email') expect(first).toMatch(/^Subject: /);
      else expect(() => JSON.parse(first)).not.toThrow();
    },
  );
});
