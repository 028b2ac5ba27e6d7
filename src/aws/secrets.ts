/**
 * Secrets Manager reads for webhook URLs, cached with a TTL. A Slack or Teams webhook URL is a credential:
 * it is read at cold start (and again when the cache expires), and never logged, never put in an error
 * message, never copied into an environment variable. Errors name the secret's ARN and the AWS error,
 * nothing else.
 *
 * When a refresh fails after the TTL, the value read before is served again ("stale if error"), so a
 * Secrets Manager hiccup does not stop notifications that worked a minute ago.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsAdapterError, awsErrorContext, describeAwsError } from './errors.js';

/** A secret could not be read, or does not hold what it should. The message never holds the value. */
export class SecretError extends AwsAdapterError {
  public constructor(message: string, context: AwsAdapterError['context'], options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'SecretError';
  }
}

export interface SecretReaderOptions {
  readonly client: SecretsManagerClient;
  /** How long a value is used before it is read again. Default 5 minutes. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

interface Cached {
  readonly value: string;
  readonly readAt: number;
}

export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

export class SecretReader {
  readonly #client: SecretsManagerClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<string>>();

  public constructor(options: SecretReaderOptions) {
    this.#client = options.client;
    this.#ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The secret's string value; concurrent reads of one secret make one call. */
  public async get(secretArn: string): Promise<string> {
    const cached = this.#cache.get(secretArn);
    if (cached !== undefined && this.#now() - cached.readAt < this.#ttlMs) return cached.value;
    const running = this.#inFlight.get(secretArn);
    if (running !== undefined) return running;
    const read = this.#read(secretArn, cached).finally(() => this.#inFlight.delete(secretArn));
    this.#inFlight.set(secretArn, read);
    return read;
  }

  async #read(secretArn: string, stale: Cached | undefined): Promise<string> {
    let value: string | undefined;
    try {
      const output = await this.#client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      value = output.SecretString;
    } catch (error) {
      if (stale !== undefined) return stale.value;
      throw new SecretError(
        `cannot read secret ${secretArn}: ${describeAwsError(error)}`,
        awsErrorContext('secretsmanager', 'GetSecretValue', error, secretArn),
        { cause: error },
      );
    }
    if (value === undefined || value.trim() === '') {
      throw new SecretError(`secret ${secretArn} has no SecretString (a binary or empty secret)`, {
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        target: secretArn,
        retryable: false,
      });
    }
    this.#cache.set(secretArn, { value, readAt: this.#now() });
    return value;
  }
}

export interface WebhookSecret {
  readonly url: string;
  /** The HMAC secret of a generic webhook. */
  readonly signingSecret?: string;
}

/**
 * A webhook secret's value: the URL itself, or JSON `{"url": "...", "signingSecret": "..."}`.
 * @throws SecretError (naming the ARN, never the value) when it is neither.
 */
export function parseWebhookSecret(value: string, secretArn: string): WebhookSecret {
  const text = value.trim();
  const invalid = (problem: string): SecretError =>
    new SecretError(`secret ${secretArn}: ${problem}`, {
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      target: secretArn,
      retryable: false,
    });
  if (!text.startsWith('{')) {
    if (!/^https?:\/\/\S+$/.test(text)) throw invalid('the value is neither a URL nor JSON {"url": ...}');
    return { url: text };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('the value starts with "{" but is not valid JSON');
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const url = record['url'];
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url.trim())) {
    throw invalid('the JSON value has no "url" string that is an http(s) URL');
  }
  const signingSecret = record['signingSecret'];
  if (signingSecret !== undefined && (typeof signingSecret !== 'string' || signingSecret === '')) {
    throw invalid('"signingSecret" must be a non-empty string');
  }
  return { url: url.trim(), ...(typeof signingSecret === 'string' && { signingSecret }) };
}
