/**
 * The errors of delivery. Every one carries a typed context that says which sink failed, how, after how
 * many attempts, and whether trying again later can help. Webhook URLs are secrets: a message or a
 * context only ever names a target by its scheme and host (`https://hooks.slack.com/…`).
 */

export interface DeliveryErrorContext {
  /** The sink's name (unique among the configured sinks). */
  readonly sink: string;
  /** Where the delivery went, redacted: scheme and host for a URL, the topic ARN, the file path. */
  readonly target?: string;
  /** The HTTP status, for HTTP sinks and AWS service errors. */
  readonly status?: number;
  /** Attempts made before giving up; 0 when no attempt was made. */
  readonly attempts: number;
  /** Whether a later attempt may succeed (429, 5xx, timeouts, network errors, throttling). */
  readonly retryable: boolean;
  /** How long the receiver asked the sender to wait (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  /** The attempt was abandoned after its timeout. */
  readonly timedOut?: boolean;
}

type DeliveryErrorConstructor = new (
  problem: string,
  context: DeliveryErrorContext,
  options?: { cause?: unknown },
) => DeliveryError;

/** Base of the family: a delivery that did not happen. */
export class DeliveryError extends Error {
  /** What went wrong, without the sink name or the attempt count (those are in `context`). */
  public readonly problem: string;
  public readonly context: DeliveryErrorContext;

  public constructor(problem: string, context: DeliveryErrorContext, options?: { cause?: unknown }) {
    const after = context.attempts > 1 ? ` (after ${context.attempts} attempts)` : '';
    super(`${context.sink}: ${problem}${after}`, options);
    this.name = 'DeliveryError';
    this.problem = problem;
    this.context = context;
  }

  public get retryable(): boolean {
    return this.context.retryable;
  }

  /** The same error, of the same class, recording the number of attempts made. */
  public withAttempts(attempts: number): DeliveryError {
    const Same = this.constructor as DeliveryErrorConstructor;
    const copy = new Same(this.problem, { ...this.context, attempts }, { cause: this.cause });
    if (this.stack !== undefined) copy.stack = this.stack.replace(this.message, copy.message);
    return copy;
  }
}

/** The receiver answered with a status other than 2xx. */
export class HttpStatusError extends DeliveryError {
  public constructor(problem: string, context: DeliveryErrorContext, options?: { cause?: unknown }) {
    super(problem, context, options);
    this.name = 'HttpStatusError';
  }
}

/** No answer: the connection failed, was reset, or the attempt timed out (`context.timedOut`). */
export class HttpTransportError extends DeliveryError {
  public constructor(problem: string, context: DeliveryErrorContext, options?: { cause?: unknown }) {
    super(problem, context, options);
    this.name = 'HttpTransportError';
  }
}

/** Amazon SNS refused or failed the Publish call. */
export class SnsPublishError extends DeliveryError {
  public constructor(problem: string, context: DeliveryErrorContext, options?: { cause?: unknown }) {
    super(problem, context, options);
    this.name = 'SnsPublishError';
  }
}

/** Writing the line to the file or stream failed. */
export class FileSinkError extends DeliveryError {
  public constructor(problem: string, context: DeliveryErrorContext, options?: { cause?: unknown }) {
    super(problem, context, options);
    this.name = 'FileSinkError';
  }
}

/** The payload cannot be sent by this sink (wrong shape, not serialisable, too large). Never retryable. */
export class PayloadError extends DeliveryError {
  public constructor(problem: string, context: DeliveryErrorContext, options?: { cause?: unknown }) {
    super(problem, context, options);
    this.name = 'PayloadError';
  }
}

/** Another delivery of the same key is under way; the caller should try again later. */
export class DeliveryInProgressError extends DeliveryError {
  public constructor(problem: string, context: DeliveryErrorContext, options?: { cause?: unknown }) {
    super(problem, context, options);
    this.name = 'DeliveryInProgressError';
  }
}

/** A sink was configured with something it cannot use (an invalid URL, an empty secret). */
export class SinkConfigError extends Error {
  public readonly sink: string;

  public constructor(sink: string, problem: string) {
    super(`${sink}: ${problem}`);
    this.name = 'SinkConfigError';
    this.sink = sink;
  }
}

/**
 * A URL reduced to what may be shown: `https://hooks.slack.com/…`. The path, the query, the fragment
 * and any user info are secrets for webhooks and never appear.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return '<invalid URL>';
  }
  const rest = parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '' ? '/…' : '/';
  return `${parsed.protocol}//${parsed.host}${rest}`;
}

/** `text` with every occurrence of the URL and of its secret parts replaced by the redacted form. */
export function scrubUrl(text: string, url: URL, raw?: string): string {
  const secrets = [
    raw,
    url.href,
    `${url.pathname}${url.search}`,
    url.pathname,
    url.search.slice(1),
    url.username,
    url.password,
  ]
    .filter((part): part is string => part !== undefined && part.length > 1)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('…');
  return out;
}
