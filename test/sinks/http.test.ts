import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DeliveryError,
  HttpStatusError,
  HttpTransportError,
  PayloadError,
  redactUrl,
} from '../../src/sinks/errors.js';
import { parseRetryAfter, postJson } from '../../src/sinks/http.js';
import { type ScriptedServer, startScriptedServer } from '../helpers/http-server.js';

const SECRET_PATH = '/services/T000/B000/XXXXsecretXXXX';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failureOf(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

/** Everything an error could show: message, stack, inspect output (causes included), context. */
function allTextOf(error: unknown): string {
  return [
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
    JSON.stringify((error as DeliveryError).context),
  ].join('\n');
}

describe('postJson', () => {
  it('posts the JSON body and returns on 2xx', async () => {
    server = await startScriptedServer([{ status: 200, body: 'ok' }]);
    const response = await postJson(`${server.origin}${SECRET_PATH}`, { text: 'hello' });
    expect(response).toEqual({ status: 200, body: 'ok' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: SECRET_PATH, body: '{"text":"hello"}' });
    expect(server.requests[0]?.headers['content-type']).toMatch(/^application\/json/);
  });

  it('classifies 429 as retryable with its Retry-After', async () => {
    server = await startScriptedServer([
      { status: 429, headers: { 'Retry-After': '1' }, body: 'rate_limited' },
    ]);
    const error = await failureOf(postJson(`${server.origin}${SECRET_PATH}`, {}, { sink: 'slack' }));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.context).toMatchObject({ sink: 'slack', status: 429, retryable: true, retryAfterMs: 1000 });
    expect(error.message).toBe(
      `slack: HTTP 429 from http://127.0.0.1:${new URL(server.origin).port}/…: rate_limited`,
    );
  });

  it('classifies 5xx as retryable and other 4xx as final', async () => {
    server = await startScriptedServer([
      { status: 500 },
      { status: 503 },
      { status: 400, body: 'invalid_payload' },
      { status: 404 },
    ]);
    const url = `${server.origin}${SECRET_PATH}`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await failureOf(postJson(url, {}))).context);
    expect(results.map((c) => [c.status, c.retryable])).toEqual([
      [500, true],
      [503, true],
      [400, false],
      [404, false],
    ]);
  });

  it('does not follow redirects', async () => {
    server = await startScriptedServer([
      { status: 302, headers: { location: 'https://elsewhere.example/x' } },
    ]);
    const error = await failureOf(postJson(`${server.origin}${SECRET_PATH}`, {}));
    expect(error.context).toMatchObject({ status: 302, retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('times out a receiver that does not answer, as retryable', async () => {
    server = await startScriptedServer([{ hang: true }]);
    const error = await failureOf(postJson(`${server.origin}${SECRET_PATH}`, {}, { timeoutMs: 100 }));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error.context).toMatchObject({ retryable: true, timedOut: true });
    expect(error.message).toContain('within 100 ms');
    expect(allTextOf(error)).not.toContain(SECRET_PATH);
  });

  it('reports a dropped connection and a refused one as retryable, without the URL', async () => {
    server = await startScriptedServer([{ reset: true }]);
    const url = `${server.origin}${SECRET_PATH}?token=abc123token`;
    const dropped = await failureOf(postJson(url, {}));
    expect(dropped).toBeInstanceOf(HttpTransportError);
    expect(dropped.context.retryable).toBe(true);
    await server.close();
    server = undefined;
    const refused = await failureOf(postJson(url, {}));
    expect(refused.context.retryable).toBe(true);
    expect(refused.message).toMatch(/ECONNREFUSED/);
    for (const error of [dropped, refused]) {
      expect(allTextOf(error)).not.toContain(SECRET_PATH);
      expect(allTextOf(error)).not.toContain('abc123token');
    }
  });

  it('truncates the error body and scrubs the URL from it', async () => {
    server = await startScriptedServer([
      { status: 400, body: `bad request to ${SECRET_PATH}: ${'x'.repeat(500)}` },
      { status: 400, body: `line one\nline two\u0007` },
    ]);
    const first = await failureOf(postJson(`${server.origin}${SECRET_PATH}`, {}));
    expect(allTextOf(first)).not.toContain(SECRET_PATH);
    const body = first.message.slice(first.message.indexOf(': ', first.message.indexOf('HTTP')) + 2);
    expect(body.length).toBeLessThanOrEqual(200);
    const second = await failureOf(postJson(`${server.origin}${SECRET_PATH}`, {}));
    expect(second.message).toMatch(/: line one line two$/);
  });

  it('refuses a payload that is not JSON, without sending it', async () => {
    server = await startScriptedServer([]);
    const error = await failureOf(postJson(`${server.origin}/x`, { n: 1n }));
    expect(error).toBeInstanceOf(PayloadError);
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a URL it cannot use, without repeating it', async () => {
    const error = await failureOf(postJson('ftp://host/secret-path', {}));
    expect(error.retryable).toBe(false);
    expect(allTextOf(error)).not.toContain('secret-path');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 30 ', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 May 2024 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 01 May 2024 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it('keeps only scheme and host', () => {
    expect(redactUrl('https://hooks.slack.com/services/T/B/secret')).toBe('https://hooks.slack.com/…');
    expect(redactUrl('https://user:pw@example.com:8443/?sig=x')).toBe('https://example.com:8443/…');
    expect(redactUrl('https://example.com')).toBe('https://example.com/');
    expect(redactUrl('not a url/secret')).toBe('<invalid URL>');
  });
});
