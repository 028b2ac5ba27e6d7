import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliveryLogEntry, deliverAll } from '../../src/sinks/deliver.js';
import { HttpStatusError, SinkConfigError } from '../../src/sinks/errors.js';
import { MemoryIdempotencyStore } from '../../src/sinks/idempotency.js';
import type { SinkPayload } from '../../src/sinks/port.js';
import type { RetryPolicy } from '../../src/sinks/retry.js';
import { SlackSink } from '../../src/sinks/slack.js';
import { TeamsSink } from '../../src/sinks/teams.js';
import { type ScriptedServer, startScriptedServer } from '../helpers/http-server.js';

const SECRET_PATH = '/services/T0001/B0001/s3cr3tT0k3nValue';
const payload: SinkPayload = { type: 'json', json: { text: 'sg-0123 changed by alice' } };
const KEY = 'change:111122223333:eu-west-1:AWS::EC2::SecurityGroup:sg-0123:42';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function harness(): {
  sleeps: number[];
  logs: DeliveryLogEntry[];
  policy: RetryPolicy;
  log: (e: DeliveryLogEntry) => void;
} {
  const sleeps: number[] = [];
  const logs: DeliveryLogEntry[] = [];
  return {
    sleeps,
    logs,
    policy: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, baseDelayMs: 10 },
    log: (entry) => logs.push(entry),
  };
}

async function slackOn(
  script: Parameters<typeof startScriptedServer>[0],
  timeoutMs?: number,
): Promise<SlackSink> {
  server = await startScriptedServer(script);
  return new SlackSink({ url: `${server.origin}${SECRET_PATH}`, ...(timeoutMs ? { timeoutMs } : {}) });
}

describe('SlackSink through deliverAll', () => {
  it('delivers on 200 with one request', async () => {
    const sink = await slackOn([{ status: 200, body: 'ok' }]);
    const { policy, log } = harness();
    const report = await deliverAll([{ sink, payload, key: KEY }], new MemoryIdempotencyStore(), policy, {
      log,
    });
    expect(report).toEqual({ delivered: [`slack|${KEY}`], skipped: [], failed: [] });
    expect(server?.requests.map((r) => [r.path, JSON.parse(r.body)])).toEqual([[SECRET_PATH, payload.json]]);
  });

  it('honours Retry-After on 429, then delivers', async () => {
    const sink = await slackOn([{ status: 429, headers: { 'Retry-After': '1' } }, { status: 200 }]);
    const { sleeps, policy, log, logs } = harness();
    const report = await deliverAll([{ sink, payload, key: KEY }], new MemoryIdempotencyStore(), policy, {
      log,
    });
    expect(report.delivered).toEqual([`slack|${KEY}`]);
    expect(server?.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(logs.find((e) => e.event === 'delivered')).toMatchObject({ attempts: 2 });
  });

  it('does not retry a 400', async () => {
    const sink = await slackOn([{ status: 400, body: 'invalid_payload' }, { status: 200 }]);
    const { sleeps, policy } = harness();
    const report = await deliverAll([{ sink, payload, key: KEY }], new MemoryIdempotencyStore(), policy);
    expect(server?.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]?.error.context).toMatchObject({ status: 400, attempts: 1, retryable: false });
    expect(report.failed[0]?.error.message).toContain('invalid_payload');
  });

  it('retries timeouts', async () => {
    const sink = await slackOn([{ hang: true }, { hang: true }, { status: 200 }], 100);
    const { sleeps, policy } = harness();
    const report = await deliverAll([{ sink, payload, key: KEY }], new MemoryIdempotencyStore(), policy);
    expect(report.delivered).toEqual([`slack|${KEY}`]);
    expect(server?.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('reports a delivery that keeps failing, with the URL redacted everywhere', async () => {
    const sink = await slackOn(
      Array.from({ length: 5 }, () => ({ status: 500, body: `oops at ${SECRET_PATH}` })),
    );
    const { sleeps, policy, log, logs } = harness();
    const report = await deliverAll([{ sink, payload, key: KEY }], new MemoryIdempotencyStore(), policy, {
      log,
    });
    expect(server?.requests).toHaveLength(5);
    expect(sleeps).toHaveLength(4);
    expect(report.delivered).toEqual([]);
    const failure = report.failed[0]!;
    expect(failure).toMatchObject({ key: `slack|${KEY}`, sink: 'slack' });
    expect(failure.error).toBeInstanceOf(HttpStatusError);
    expect(failure.error.context).toMatchObject({ status: 500, attempts: 5, retryable: true });
    expect(failure.error.message).toMatch(
      /^slack: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/…: oops at … \(after 5 attempts\)$/,
    );
    const everything = [
      inspect(report, { depth: 10 }),
      JSON.stringify(logs),
      inspect(sink, { depth: 10 }),
    ].join('\n');
    expect(everything).not.toContain('s3cr3tT0k3nValue');
    expect(logs.map((e) => e.event)).toEqual(['retry', 'retry', 'retry', 'retry', 'failed']);
  });

  it('posts a key once, however often it is delivered', async () => {
    const sink = await slackOn([{ status: 200 }, { status: 200 }]);
    const store = new MemoryIdempotencyStore();
    const { policy } = harness();
    const first = await deliverAll([{ sink, payload, key: KEY }], store, policy);
    const second = await deliverAll([{ sink, payload, key: KEY }], store, policy);
    const third = await deliverAll(
      [
        { sink, payload, key: KEY },
        { sink, payload, key: KEY },
      ],
      store,
      policy,
    );
    expect(first.delivered).toEqual([`slack|${KEY}`]);
    expect(second).toEqual({ delivered: [], skipped: [`slack|${KEY}`], failed: [] });
    expect(third.skipped).toHaveLength(2);
    expect(server?.requests).toHaveLength(1);
  });

  it('delivers a failed key on a later retry, once', async () => {
    const sink = await slackOn([{ status: 500 }, { status: 500 }, { status: 200 }, { status: 200 }]);
    const store = new MemoryIdempotencyStore();
    const { policy } = harness();
    const failed = await deliverAll([{ sink, payload, key: KEY }], store, { ...policy, maxAttempts: 2 });
    expect(failed.failed).toHaveLength(1);
    const retried = await deliverAll([{ sink, payload, key: KEY }], store, policy);
    expect(retried.delivered).toEqual([`slack|${KEY}`]);
    const again = await deliverAll([{ sink, payload, key: KEY }], store, policy);
    expect(again.skipped).toEqual([`slack|${KEY}`]);
    expect(server?.requests).toHaveLength(3);
  });

  it('refuses a URL that is not https, without repeating it', () => {
    const build = () => new SlackSink({ url: 'http://hooks.slack.com/services/T/B/secretpart' });
    expect(build).toThrow(SinkConfigError);
    expect(build).toThrow('slack: the webhook URL must use https (got http://hooks.slack.com/…)');
    expect(() => new SlackSink({ url: 'nonsense/secretpart' })).toThrow(
      /^slack: the webhook URL is not a valid URL$/,
    );
  });

  it('refuses a text payload', async () => {
    const sink = await slackOn([]);
    const report = await deliverAll(
      [{ sink, payload: { type: 'text', subject: 's', text: 't' }, key: KEY }],
      new MemoryIdempotencyStore(),
    );
    expect(report.failed[0]?.error.name).toBe('PayloadError');
    expect(server?.requests).toHaveLength(0);
  });
});

describe('TeamsSink', () => {
  it('posts the card and accepts 202', async () => {
    server = await startScriptedServer([{ status: 202 }]);
    const card = {
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    };
    const sink = new TeamsSink({ name: 'teams-sec', url: `${server.origin}/workflows/abc?sig=secretsig` });
    expect(sink.kind).toBe('teams');
    const report = await deliverAll(
      [{ sink, payload: { type: 'json', json: card }, key: KEY }],
      new MemoryIdempotencyStore(),
    );
    expect(report.delivered).toEqual([`teams-sec|${KEY}`]);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual(card);
  });

  it("accepts a legacy connector's 200 with the number of messages sent", async () => {
    server = await startScriptedServer([{ status: 200, body: '1' }]);
    const sink = new TeamsSink({ url: `${server.origin}/webhookb2/abc` });
    const report = await deliverAll([{ sink, payload, key: KEY }], new MemoryIdempotencyStore());
    expect(report.delivered).toEqual([`teams|${KEY}`]);
  });

  it("fails a legacy connector's 200 that says Teams refused the message, without retrying a 413", async () => {
    const refused =
      'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=1,server=x';
    server = await startScriptedServer([{ status: 200, body: refused }]);
    const sink = new TeamsSink({ url: `${server.origin}/webhookb2/abc` });
    const { policy } = harness();
    const report = await deliverAll([{ sink, payload, key: KEY }], new MemoryIdempotencyStore(), policy);
    expect(server.requests).toHaveLength(1);
    const [failure] = report.failed;
    expect(failure?.error).toBeInstanceOf(HttpStatusError);
    expect(failure?.error.message).toMatch(/did not deliver the message .*HTTP error 413/);
    expect(failure?.error.retryable).toBe(false);
  });

  it("retries a legacy connector's 200 that hides a 429, and delivers", async () => {
    server = await startScriptedServer([
      { status: 200, body: 'Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=2' },
      { status: 200, body: '1' },
    ]);
    const sink = new TeamsSink({ url: `${server.origin}/webhookb2/abc` });
    const { policy } = harness();
    const report = await deliverAll([{ sink, payload, key: KEY }], new MemoryIdempotencyStore(), policy);
    expect(report.delivered).toEqual([`teams|${KEY}`]);
    expect(server.requests).toHaveLength(2);
  });
});
