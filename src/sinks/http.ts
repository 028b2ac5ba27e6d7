import { clip } from '../core/clip.js';
import {
  HttpStatusError,
  HttpTransportError,
  PayloadError,
  redactUrl,
  SinkConfigError,
  scrubUrl,
} from './errors.js';
import type { SinkPayload } from './port.js';

/**
 * One JSON POST with a timeout, its outcome classified for retrying: 2xx is success; 429 and 5xx are
 * retryable (with the receiver's `Retry-After`); any other status is final; a network error or a timeout
 * is retryable. The URL is a secret: errors name only its scheme and host, and neither an error message
 * nor an error's cause carries its path or query.
 */

export interface HttpOptions {
  /** Names the sink in errors. Default `http`. */
  readonly sink?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** For the whole attempt, reading the answer included. Default 10 s. */
  readonly timeoutMs?: number;
  /** Injected for tests; default the global `fetch`. */
  readonly fetchImpl?: typeof fetch;
  /** The clock, for `Retry-After` given as an HTTP date. Default `Date.now`. */
  readonly now?: () => number;
}

export interface HttpResponse {
  readonly status: number;
  /** The start of the answer's body (at most 200 characters). */
  readonly body: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const BODY_SNIPPET_CHARS = 200;
const BODY_READ_BYTES = 4096;

/** `JSON.stringify(body)` POSTed to `url`. */
export async function postJson(url: string, body: unknown, options: HttpOptions = {}): Promise<HttpResponse> {
  return postBody(url, serialiseJson(body, options.sink ?? 'http'), options);
}

/** `JSON.stringify(value)`, or a `PayloadError` when the value is not serialisable. */
export function serialiseJson(value: unknown, sink: string): string {
  let raw: string | undefined;
  try {
    raw = JSON.stringify(value);
  } catch (error) {
    throw new PayloadError(
      'the payload cannot be serialised to JSON',
      { sink, attempts: 0, retryable: false },
      {
        cause: error,
      },
    );
  }
  if (raw === undefined) {
    throw new PayloadError('the payload is not a JSON value', { sink, attempts: 0, retryable: false });
  }
  return raw;
}

/** A JSON text POSTed to `url` as it is: for signed bodies, where the bytes sent must be the bytes signed. */
export async function postBody(
  url: string,
  rawJson: string,
  options: HttpOptions = {},
): Promise<HttpResponse> {
  const sink = options.sink ?? 'http';
  const target = redactUrl(url);
  const parsed = parseHttpUrl(url);
  if (parsed === undefined) {
    throw new HttpTransportError('the URL is not a valid http(s) URL', {
      sink,
      attempts: 1,
      retryable: false,
    });
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchImpl = options.fetchImpl ?? fetch;
  const signal = AbortSignal.timeout(timeoutMs);

  let response: Response;
  try {
    response = await fetchImpl(parsed, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'cloudblame',
        ...options.headers,
      },
      body: rawJson,
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw transportError(error, { sink, target, timeoutMs, url: parsed, raw: url });
  }

  const { status } = response;
  let body: string;
  try {
    body = scrubUrl(await readSnippet(response), parsed, url);
  } catch (error) {
    // The receiver's verdict is in the status; a 2xx whose body never finishes was still accepted.
    if (status >= 200 && status < 300) return { status, body: '' };
    throw transportError(error, { sink, target, timeoutMs, url: parsed, raw: url });
  }
  if (status >= 200 && status < 300) return { status, body };

  const retryable = status === 429 || status >= 500;
  const retryAfterMs = retryable
    ? parseRetryAfter(response.headers.get('retry-after'), (options.now ?? Date.now)())
    : undefined;
  const detail = body === '' ? '' : `: ${body}`;
  const what = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  throw new HttpStatusError(`HTTP ${status} from ${target}${what}${detail}`, {
    sink,
    target,
    status,
    attempts: 1,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * `Retry-After` in milliseconds from `nowMs`: delay-seconds (`120`) or an HTTP date. A date in the past
 * is 0; anything else unreadable is undefined.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function parseHttpUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function readSnippet(response: Response): Promise<string> {
  const stream = response.body;
  if (stream === null) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  try {
    while (size < BODY_READ_BYTES) {
      const chunk = await reader.read();
      if (chunk.done) {
        complete = true;
        break;
      }
      chunks.push(chunk.value);
      size += chunk.value.length;
    }
  } finally {
    if (!complete) await reader.cancel().catch(() => undefined);
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clip(clean, BODY_SNIPPET_CHARS);
}

interface TransportContext {
  readonly sink: string;
  readonly target: string;
  readonly timeoutMs: number;
  readonly url: URL;
  readonly raw: string;
}

function transportError(error: unknown, at: TransportContext): HttpTransportError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const cause = sanitizedCause(error, at);
  if (timedOut) {
    return new HttpTransportError(
      `no answer from ${at.target} within ${at.timeoutMs} ms`,
      { sink: at.sink, target: at.target, attempts: 1, retryable: true, timedOut: true },
      { cause },
    );
  }
  return new HttpTransportError(
    `could not reach ${at.target}: ${cause.message}`,
    { sink: at.sink, target: at.target, attempts: 1, retryable: true },
    { cause },
  );
}

/**
 * A plain Error standing for what fetch threw: its name, its code and its message, and those of its
 * cause (undici puts the real reason, e.g. `ECONNREFUSED`, one level down), with the URL scrubbed. The
 * original is not kept: its properties could hold the URL.
 */
function sanitizedCause(error: unknown, at: TransportContext): Error {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const codeText = typeof code === 'string' ? ` [${code}]` : '';
      parts.push(
        depth === 0 ? `${current.message}${codeText}` : `${current.name}${codeText}: ${current.message}`,
      );
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  const sanitized = new Error(scrubUrl(parts.join('; caused by '), at.url, at.raw));
  sanitized.name = error instanceof Error ? error.name : 'Error';
  return sanitized;
}

/** Options shared by the HTTP sinks. */
export interface HttpSinkOptions {
  /** Default: the sink kind (`slack`, `teams`, `webhook`). Must be unique among the sinks. */
  readonly name?: string;
  /** A secret. https is required except for loopback hosts (tests, local relays). */
  readonly url: string;
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Checks a webhook URL when the sink is built, so that a bad one fails at start-up with a message that
 * does not repeat it.
 */
export function checkWebhookUrl(sink: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SinkConfigError(sink, 'the webhook URL is not a valid URL');
  }
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return;
  throw new SinkConfigError(sink, `the webhook URL must use https (got ${redactUrl(parsed)})`);
}

/** The JSON document of a payload, for sinks that only send JSON. */
export function jsonOf(payload: SinkPayload, sink: string): unknown {
  if (payload.type === 'json') return payload.json;
  throw new PayloadError(`expects a JSON payload, got a ${payload.type} payload`, {
    sink,
    attempts: 0,
    retryable: false,
  });
}
