import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverAll } from '../../src/sinks/deliver.js';
import { SinkConfigError } from '../../src/sinks/errors.js';
import { MemoryIdempotencyStore } from '../../src/sinks/idempotency.js';
import { signWebhookBody, verifyWebhookSignature, WebhookSink } from '../../src/sinks/webhook.js';
import { type ScriptedServer, startScriptedServer } from '../helpers/http-server.js';

const SECRET = 'whsec_test_123';
const NOW = Date.parse('2024-05-01T10:00:00Z');
const json = { kind: 'alert', rule: 'root-login', resource: 'naïve "quoted" ✓' };

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('WebhookSink', () => {
  it('signs the raw body with the timestamp and sends the idempotency key', async () => {
    server = await startScriptedServer([{ status: 204 }]);
    const sink = new WebhookSink({ url: `${server.origin}/hook/secret`, secret: SECRET, now: () => NOW });
    const report = await deliverAll(
      [{ sink, payload: { type: 'json', json }, key: 'alert:root-login:e-1' }],
      new MemoryIdempotencyStore(),
    );
    expect(report.delivered).toEqual(['webhook|alert:root-login:e-1']);

    const request = server.requests[0]!;
    const timestamp = request.headers['x-cloudblame-timestamp'];
    const signature = request.headers['x-cloudblame-signature'];
    expect(timestamp).toBe(String(NOW / 1000));
    expect(request.headers['x-cloudblame-idempotency-key']).toBe('webhook|alert:root-login:e-1');
    expect(JSON.parse(request.body)).toEqual(json);
    // Verifiable by a receiver with nothing but the secret and the request.
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex')}`;
    expect(signature).toBe(expected);
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp: typeof timestamp === 'string' ? timestamp : undefined,
        signature: typeof signature === 'string' ? signature : undefined,
        rawBody: request.body,
        nowMs: NOW + 10_000,
      }),
    ).toBe(true);
  });

  it('verification fails for another secret, body, timestamp, or an old request', () => {
    const timestamp = String(NOW / 1000);
    const body = '{"a":1}';
    const signature = signWebhookBody(SECRET, timestamp, body);
    const ok = { secret: SECRET, timestamp, signature, rawBody: body };
    expect(verifyWebhookSignature(ok)).toBe(true);
    expect(verifyWebhookSignature({ ...ok, secret: 'other' })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, rawBody: '{"a":2}' })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, timestamp: String(NOW / 1000 + 1) })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, signature: 'sha256=00' })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, nowMs: NOW + 301_000 })).toBe(false);
  });

  it('sends no signature without a secret, and extra headers as given', async () => {
    server = await startScriptedServer([{ status: 200 }]);
    const sink = new WebhookSink({
      name: 'siem',
      url: `${server.origin}/in`,
      headers: { Authorization: 'Bearer t' },
    });
    await deliverAll([{ sink, payload: { type: 'json', json }, key: 'k' }], new MemoryIdempotencyStore());
    const headers = server.requests[0]?.headers ?? {};
    expect(headers['x-cloudblame-signature']).toBeUndefined();
    expect(headers['x-cloudblame-idempotency-key']).toBe('siem|k');
    expect(headers.authorization).toBe('Bearer t');
  });

  it('percent-encodes a key that is not plain ASCII', async () => {
    server = await startScriptedServer([{ status: 200 }]);
    const sink = new WebhookSink({ url: `${server.origin}/in` });
    const report = await deliverAll(
      [{ sink, payload: { type: 'json', json }, key: 'alert:règle:e' }],
      new MemoryIdempotencyStore(),
    );
    expect(report.delivered).toHaveLength(1);
    expect(decodeURIComponent(String(server.requests[0]?.headers['x-cloudblame-idempotency-key']))).toBe(
      'webhook|alert:règle:e',
    );
  });

  it('rejects an empty secret', () => {
    expect(() => new WebhookSink({ url: 'https://example.com/x', secret: '' })).toThrow(SinkConfigError);
  });
});
