import { createHmac, timingSafeEqual } from 'node:crypto';
import { SinkConfigError } from './errors.js';
import { checkWebhookUrl, type HttpSinkOptions, jsonOf, postBody, serialiseJson } from './http.js';
import type { Sink, SinkPayload } from './port.js';

/**
 * A generic JSON webhook. Every request carries:
 *
 * - `X-CloudBlame-Idempotency-Key`: the delivery's key, so the receiver can drop a redelivery too (a
 *   timed-out attempt may have been processed);
 * - `X-CloudBlame-Timestamp`: Unix seconds when the attempt was made;
 * - with a secret, `X-CloudBlame-Signature: sha256=<hex>`: HMAC-SHA256 with the secret over
 *   `<timestamp>.<raw body>`. Binding the timestamp lets a receiver reject replays of an old request
 *   (see `verifyWebhookSignature`).
 */

export const SIGNATURE_HEADER = 'X-CloudBlame-Signature';
export const TIMESTAMP_HEADER = 'X-CloudBlame-Timestamp';
export const IDEMPOTENCY_HEADER = 'X-CloudBlame-Idempotency-Key';

export interface WebhookSinkOptions extends HttpSinkOptions {
  /** The HMAC secret; when absent requests are not signed. A secret: never logged. */
  readonly secret?: string;
  /** More headers, e.g. `Authorization`. Secrets too: never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The clock for the timestamp header. Default `Date.now`. */
  readonly now?: () => number;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`). */
export function signWebhookBody(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

export interface VerifyInput {
  readonly secret: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: string;
  /** When given, a timestamp further than `toleranceSeconds` from it fails. */
  readonly nowMs?: number;
  /** Default 300. */
  readonly toleranceSeconds?: number;
}

/** For receivers (and tests): whether a request was signed with `secret`, compared in constant time. */
export function verifyWebhookSignature(input: VerifyInput): boolean {
  const { secret, timestamp, signature, rawBody } = input;
  if (timestamp === undefined || signature === undefined || !/^\d+$/.test(timestamp)) return false;
  if (input.nowMs !== undefined) {
    const skew = Math.abs(input.nowMs / 1000 - Number(timestamp));
    if (skew > (input.toleranceSeconds ?? 300)) return false;
  }
  const expected = Buffer.from(signWebhookBody(secret, timestamp, rawBody));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A header value must be visible ASCII; a key with other characters is percent-encoded. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

export class WebhookSink implements Sink {
  public readonly kind = 'webhook';
  public readonly name: string;
  readonly #options: WebhookSinkOptions;

  public constructor(options: WebhookSinkOptions) {
    this.name = options.name ?? 'webhook';
    checkWebhookUrl(this.name, options.url);
    if (options.secret !== undefined && options.secret.length === 0) {
      throw new SinkConfigError(this.name, 'the signing secret is empty');
    }
    this.#options = options;
  }

  public async deliver(payload: SinkPayload, key: string): Promise<void> {
    const { url, timeoutMs, fetchImpl, secret } = this.#options;
    const json = jsonOf(payload, this.name);
    const timestamp = String(Math.floor((this.#options.now ?? Date.now)() / 1000));
    const headers: Record<string, string> = {
      ...this.#options.headers,
      [IDEMPOTENCY_HEADER]: headerSafe(key),
      [TIMESTAMP_HEADER]: timestamp,
    };
    // Serialise once: the bytes signed are the bytes sent.
    const raw = serialiseJson(json, this.name);
    if (secret !== undefined) headers[SIGNATURE_HEADER] = signWebhookBody(secret, timestamp, raw);
    await postBody(url, raw, { sink: this.name, timeoutMs, fetchImpl, headers });
  }
}
