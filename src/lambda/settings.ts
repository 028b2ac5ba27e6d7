/**
 * The environment of the handlers, read and checked once per container. A missing or malformed variable
 * fails the cold start with `EnvironmentError` naming it: the infra construct sets them all.
 */

export class EnvironmentError extends Error {
  public readonly context: { readonly variable: string; readonly problem: string };

  public constructor(variable: string, problem: string) {
    super(`environment variable ${variable} ${problem}`);
    this.name = 'EnvironmentError';
    this.context = { variable, problem };
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function requiredVar(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new EnvironmentError(name, 'is not set');
  return value;
}

export function optionalVar(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function positiveNumberVar(env: Env, name: string, fallback: number): number {
  const text = optionalVar(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new EnvironmentError(name, `must be a positive number, got "${text}"`);
  return value;
}

export interface IndexSettings {
  readonly indexTableName: string;
  /** Default 24. */
  readonly indexTtlHours: number;
}

export interface AttributionSettings {
  readonly indexTableName: string;
  readonly idempotencyTableName: string;
  readonly archiveBucketName?: string;
  readonly topicArn?: string;
  /** Default 15. */
  readonly fallbackAfterMinutes: number;
  /** Default 2. */
  readonly lookupEventsPerSecond: number;
  /** The function's region (AWS_REGION). */
  readonly region: string;
}

export interface AlertsSettings {
  readonly idempotencyTableName: string;
  readonly topicArn?: string;
  readonly region: string;
}

function regionOf(env: Env): string {
  return optionalVar(env, 'AWS_REGION') ?? optionalVar(env, 'AWS_DEFAULT_REGION') ?? 'us-east-1';
}

export function indexSettings(env: Env): IndexSettings {
  return {
    indexTableName: requiredVar(env, 'INDEX_TABLE_NAME'),
    indexTtlHours: positiveNumberVar(env, 'INDEX_TTL_HOURS', 24),
  };
}

export function attributionSettings(env: Env): AttributionSettings {
  const archiveBucketName = optionalVar(env, 'ARCHIVE_BUCKET_NAME');
  const topicArn = optionalVar(env, 'TOPIC_ARN');
  return {
    indexTableName: requiredVar(env, 'INDEX_TABLE_NAME'),
    idempotencyTableName: requiredVar(env, 'IDEMPOTENCY_TABLE_NAME'),
    ...(archiveBucketName !== undefined && { archiveBucketName }),
    ...(topicArn !== undefined && { topicArn }),
    fallbackAfterMinutes: positiveNumberVar(env, 'FALLBACK_AFTER_MINUTES', 15),
    lookupEventsPerSecond: positiveNumberVar(env, 'LOOKUP_EVENTS_PER_SECOND', 2),
    region: regionOf(env),
  };
}

export function alertsSettings(env: Env): AlertsSettings {
  const topicArn = optionalVar(env, 'TOPIC_ARN');
  return {
    idempotencyTableName: requiredVar(env, 'IDEMPOTENCY_TABLE_NAME'),
    ...(topicArn !== undefined && { topicArn }),
    region: regionOf(env),
  };
}

/** The account of `arn:aws:lambda:<region>:<account>:function:<name>`. */
export function accountOfFunctionArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}
