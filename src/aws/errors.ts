/**
 * What the AWS adapters say about a failed SDK call. Each adapter module has its own error class (a
 * subclass of `AwsAdapterError`, with its own `name`), so that a handler can tell an archive failure from
 * a lookup failure, and every one carries the same typed context: which service and operation, the AWS
 * error's name and HTTP status, and whether trying again later may succeed. No message ever holds a
 * secret value or a webhook URL.
 */

export interface AwsErrorContext {
  /** E.g. `cloudtrail`, `s3`, `dynamodb`, `secretsmanager`, `config`, `sqs`. */
  readonly service: string;
  /** The API operation, e.g. `LookupEvents`. */
  readonly operation: string;
  /** What the call was about: a bucket/key, a table, a secret ARN, a region. Never a secret value. */
  readonly target?: string;
  /** The AWS error name (`ThrottlingException`, `AccessDeniedException`, ...). */
  readonly code?: string;
  readonly status?: number;
  /** Whether a later attempt (an SQS redelivery) may succeed. */
  readonly retryable: boolean;
}

export class AwsAdapterError extends Error {
  public readonly context: AwsErrorContext;

  public constructor(message: string, context: AwsErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AwsAdapterError';
    this.context = context;
  }

  public get retryable(): boolean {
    return this.context.retryable;
  }
}

const THROTTLING: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

export interface AwsErrorInfo {
  readonly code: string;
  readonly status?: number;
  readonly throttled: boolean;
  readonly retryable: boolean;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Classifies a value thrown by an AWS SDK v3 call: throttling, 5xx, a server fault or no answer at all
 * (network, timeout) may succeed later; any other 4xx will not.
 */
export function awsErrorInfo(error: unknown): AwsErrorInfo {
  const code = error instanceof Error ? error.name : typeof error;
  const metadata = field(error, '$metadata');
  const rawStatus = field(metadata, 'httpStatusCode');
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const fault = field(error, '$fault');
  const throttled = THROTTLING.has(code) || status === 429;
  const answered = status !== undefined || fault !== undefined;
  const retryable =
    throttled ||
    (status !== undefined && status >= 500) ||
    fault === 'server' ||
    field(error, '$retryable') !== undefined ||
    !answered;
  return { code, ...(status !== undefined && { status }), throttled, retryable };
}

/** The context of an SDK failure, for an adapter error. */
export function awsErrorContext(
  service: string,
  operation: string,
  error: unknown,
  target?: string,
): AwsErrorContext {
  const info = awsErrorInfo(error);
  return {
    service,
    operation,
    ...(target !== undefined && { target }),
    code: info.code,
    ...(info.status !== undefined && { status: info.status }),
    retryable: info.retryable,
  };
}

/** `ThrottlingException: Rate exceeded`, or the name alone: the SDK's message never holds a secret value. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  return error.message === '' ? error.name : `${error.name}: ${error.message}`;
}

/** A live lookup failed: an error other than throttling, or still throttled after the last attempt. */
export class LiveLookupError extends AwsAdapterError {
  public constructor(message: string, context: AwsAdapterError['context'], options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'LiveLookupError';
  }
}
