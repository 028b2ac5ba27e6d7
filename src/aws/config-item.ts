/**
 * The full configuration item of an oversized change. AWS Config sends only a summary when a change
 * notification would not fit in SNS/EventBridge, with the full notification in the delivery bucket
 * (`s3DeliverySummary.s3BucketLocation`). The summary has no tags (so the IaC policy cannot judge it)
 * and no diff (so the notification cannot say what changed).
 *
 * Two sources, in order:
 * 1. the S3 object the summary points at (gzipped or plain JSON: the full change notification, with its
 *    `configurationItemDiff`, or `{"configurationItems": [...]}`);
 * 2. `GetResourceConfigHistory` (the item and the one before it, newest first). The Config API has no
 *    diff, so the changed properties are computed against the previous item (`diffItems`); with no
 *    previous item they are left empty and the result says so.
 *
 * The result keeps the summary's identity (account, region, type, id, state id, capture time), so that
 * the change's idempotency key is the same whether or not the fetch succeeded.
 */
import { gunzipSync } from 'node:zlib';
import {
  type ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  type ResourceType,
} from '@aws-sdk/client-config-service';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ChangedProperty, ConfigChange, JsonObject } from '../core/model.js';
import { parseConfigDocument } from '../core/parse/config.js';
import { AwsAdapterError, awsErrorContext, describeAwsError } from './errors.js';
import { configRegion } from './regions.js';

/** The full item could not be fetched or read. */
export class ConfigItemError extends AwsAdapterError {
  public constructor(message: string, context: AwsAdapterError['context'], options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'ConfigItemError';
  }
}

/** Where the changed properties came from. */
export type DiffSource = 'notification' | 'computed' | 'unavailable';

export interface FullItem {
  readonly change: ConfigChange;
  readonly source: 's3' | 'config-history';
  readonly diff: DiffSource;
  /** Why the diff is unavailable, or what else a reader should know. */
  readonly note?: string;
}

export interface ConfigItemFetcherOptions {
  readonly s3: S3Client;
  /** A Config client for a region. */
  readonly configClientFor: (region: string) => ConfigServiceClient;
}

export interface FetchOptions {
  /**
   * The region whose Config recorder delivered the change (the EventBridge event's `region`). Needed for
   * global resources (awsRegion `global`); defaults to the change's region, or us-east-1 for `global`.
   */
  readonly recordingRegion?: string;
}

const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

/** `{ bucket, key }` of `s3://bucket/key`. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match?.[1] && match[2] ? { bucket: match[1], key: match[2] } : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------
// Diff (pure)

const DIFF_LIMITS = { maxProperties: 500, maxDepth: 16 } as const;

function capitalised(key: string): string {
  return key === '' ? key : `${key[0]!.toUpperCase()}${key.slice(1)}`;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function property(path: string, previous: unknown, updated: unknown): ChangedProperty {
  const before = previous ?? null;
  const after = updated ?? null;
  const changeType = before === null ? 'CREATE' : after === null ? 'DELETE' : 'UPDATE';
  return {
    path,
    changeType,
    ...(before !== null && { previousValue: before }),
    ...(after !== null && { updatedValue: after }),
  };
}

function diffValue(
  path: string,
  previous: unknown,
  updated: unknown,
  depth: number,
  out: ChangedProperty[],
): void {
  if (out.length >= DIFF_LIMITS.maxProperties || sameValue(previous, updated)) return;
  if (Array.isArray(previous) && Array.isArray(updated) && depth < DIFF_LIMITS.maxDepth) {
    // Config reports list changes per element, with the whole element as the value.
    const length = Math.max(previous.length, updated.length);
    for (let i = 0; i < length; i++) {
      if (!sameValue(previous[i], updated[i])) out.push(property(`${path}.${i}`, previous[i], updated[i]));
      if (out.length >= DIFF_LIMITS.maxProperties) return;
    }
    return;
  }
  if (isObject(previous) && isObject(updated) && depth < DIFF_LIMITS.maxDepth) {
    const keys = new Set([...Object.keys(previous), ...Object.keys(updated)]);
    for (const key of keys)
      diffValue(`${path}.${capitalised(key)}`, previous[key], updated[key], depth + 1, out);
    return;
  }
  out.push(property(path, previous, updated));
}

/**
 * The changed properties between two configuration items (as `ConfigChange.item`: configurations
 * decoded), named as AWS Config names them: `Configuration.State.Name`, `Configuration.IpPermissions.0`,
 * `SupplementaryConfiguration.BucketPolicy.PolicyText`, `Relationships.0`. Objects are compared key by
 * key down to their leaves, lists element by element. At most 500 properties.
 */
export function diffItems(previous: JsonObject, current: JsonObject): ChangedProperty[] {
  const out: ChangedProperty[] = [];
  diffValue('Configuration', previous['configuration'], current['configuration'], 0, out);
  const prevSupp = isObject(previous['supplementaryConfiguration'])
    ? previous['supplementaryConfiguration']
    : {};
  const currSupp = isObject(current['supplementaryConfiguration'])
    ? current['supplementaryConfiguration']
    : {};
  for (const key of new Set([...Object.keys(prevSupp), ...Object.keys(currSupp)])) {
    diffValue(`SupplementaryConfiguration.${key}`, prevSupp[key], currSupp[key], 1, out);
  }
  const prevRel = Array.isArray(previous['relationships']) ? previous['relationships'] : [];
  const currRel = Array.isArray(current['relationships']) ? current['relationships'] : [];
  diffValue('Relationships', prevRel, currRel, 0, out);
  return out.slice(0, DIFF_LIMITS.maxProperties);
}

// ---------------------------------------------------------------------------------------------------------
// Fetching

/** The candidate that is `summary`'s item: same resource, same state id (or the nearest capture time). */
function sameItem(summary: ConfigChange, candidates: readonly ConfigChange[]): ConfigChange | undefined {
  const same = candidates.filter(
    (c) => c.resourceType === summary.resourceType && c.resourceId === summary.resourceId,
  );
  if (summary.configurationStateId !== undefined) {
    const exact = same.find((c) => c.configurationStateId === summary.configurationStateId);
    if (exact !== undefined) return exact;
  }
  return same
    .filter((c) => c.captureTimeMs <= summary.captureTimeMs + 1000)
    .sort((a, b) => b.captureTimeMs - a.captureTimeMs)[0];
}

/** The full change, with the summary's identity so that the idempotency key does not move. */
function withIdentity(
  summary: ConfigChange,
  full: ConfigChange,
  changedProperties: readonly ChangedProperty[],
): ConfigChange {
  const configurationStateId = summary.configurationStateId ?? full.configurationStateId;
  return {
    ...full,
    resourceType: summary.resourceType,
    resourceId: summary.resourceId,
    accountId: summary.accountId,
    awsRegion: summary.awsRegion,
    captureTime: summary.captureTime,
    captureTimeMs: summary.captureTimeMs,
    ...(configurationStateId !== undefined && { configurationStateId }),
    changeType: summary.changeType,
    changedProperties,
    relatedEvents: [...new Set([...summary.relatedEvents, ...full.relatedEvents])],
    oversized: false,
    ...(summary.s3DeliveryUri !== undefined && { s3DeliveryUri: summary.s3DeliveryUri }),
    envelope: summary.envelope,
    ref: summary.ref,
  };
}

export class ConfigItemFetcher {
  readonly #s3: S3Client;
  readonly #configClientFor: (region: string) => ConfigServiceClient;

  public constructor(options: ConfigItemFetcherOptions) {
    this.#s3 = options.s3;
    this.#configClientFor = options.configClientFor;
  }

  /**
   * The full item of an oversized `change`: from S3 when the summary names an object, else (or when the
   * object is gone or unreadable) from the Config history.
   * @throws ConfigItemError; `retryable` when trying again later may succeed.
   */
  public async fetch(change: ConfigChange, options: FetchOptions = {}): Promise<FullItem> {
    let s3Failure: ConfigItemError | undefined;
    if (change.s3DeliveryUri !== undefined) {
      try {
        return await this.fromS3(change, change.s3DeliveryUri);
      } catch (error) {
        if (!(error instanceof ConfigItemError) || error.retryable) throw error;
        s3Failure = error;
      }
    }
    try {
      return await this.fromHistory(change, options);
    } catch (error) {
      if (s3Failure !== undefined && error instanceof ConfigItemError && !error.retryable) {
        throw new ConfigItemError(`${s3Failure.message}; and ${error.message}`, error.context, {
          cause: error,
        });
      }
      throw error;
    }
  }

  public async fromS3(change: ConfigChange, uri: string): Promise<FullItem> {
    const location = parseS3Uri(uri);
    if (location === undefined) {
      throw new ConfigItemError(`not an s3:// URI: ${uri}`, {
        service: 's3',
        operation: 'GetObject',
        retryable: false,
      });
    }
    let bytes: Uint8Array;
    try {
      const output = await this.#s3.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
      );
      if (output.Body === undefined) throw new Error('empty body');
      bytes = await output.Body.transformToByteArray();
    } catch (error) {
      throw new ConfigItemError(
        `cannot read ${uri}: ${describeAwsError(error)}`,
        awsErrorContext('s3', 'GetObject', error, uri),
        { cause: error },
      );
    }
    const unreadable = (problem: string, cause?: unknown): ConfigItemError =>
      new ConfigItemError(
        `${uri}: ${problem}`,
        { service: 's3', operation: 'GetObject', target: uri, retryable: false },
        { cause },
      );
    let text: string;
    try {
      const plain =
        bytes[0] === 0x1f && bytes[1] === 0x8b
          ? gunzipSync(bytes, { maxOutputLength: MAX_OBJECT_BYTES })
          : bytes;
      text = Buffer.from(plain).toString('utf8');
    } catch (error) {
      throw unreadable('not a readable gzip object', error);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw unreadable('not valid JSON', error);
    }
    const parsed = parseConfigDocument(doc, uri);
    const full = sameItem(change, parsed.changes);
    if (full === undefined) {
      throw unreadable(
        `holds no item for ${change.resourceType} ${change.resourceId}` +
          (parsed.errors[0] === undefined ? '' : ` (${parsed.errors[0].message})`),
      );
    }
    if (full.changedProperties.length > 0) {
      return {
        change: withIdentity(change, full, full.changedProperties),
        source: 's3',
        diff: 'notification',
      };
    }
    return {
      change: withIdentity(change, full, []),
      source: 's3',
      diff: 'unavailable',
      note: 'the delivered object has no configurationItemDiff',
    };
  }

  public async fromHistory(change: ConfigChange, options: FetchOptions = {}): Promise<FullItem> {
    const region = configRegion(change, options.recordingRegion);
    const target = `${change.resourceType} ${change.resourceId} in ${region}`;
    let items: unknown[];
    try {
      const output = await this.#configClientFor(region).send(
        new GetResourceConfigHistoryCommand({
          resourceType: change.resourceType as ResourceType,
          resourceId: change.resourceId,
          laterTime: new Date(change.captureTimeMs),
          limit: 2,
        }),
      );
      // Dates become ISO text, as in the files: one shape for the parser.
      items = JSON.parse(JSON.stringify(output.configurationItems ?? [])) as unknown[];
    } catch (error) {
      throw new ConfigItemError(
        `GetResourceConfigHistory for ${target} failed: ${describeAwsError(error)}`,
        awsErrorContext('config', 'GetResourceConfigHistory', error, target),
        { cause: error },
      );
    }
    const source = `GetResourceConfigHistory ${target}`;
    const parsed = parseConfigDocument({ configurationItems: items }, source).changes;
    const full = sameItem(change, parsed);
    if (full === undefined) {
      throw new ConfigItemError(`${source}: no item at or before ${change.captureTime}`, {
        service: 'config',
        operation: 'GetResourceConfigHistory',
        target,
        retryable: false,
      });
    }
    const previous = parsed.find((c) => c !== full && c.captureTimeMs < full.captureTimeMs);
    if (previous?.item === undefined || full.item === undefined) {
      return {
        change: withIdentity(change, full, []),
        source: 'config-history',
        diff: 'unavailable',
        note: 'no earlier configuration item to compare with; the Config API gives no diff',
      };
    }
    return {
      change: withIdentity(change, full, diffItems(previous.item, full.item)),
      source: 'config-history',
      diff: 'computed',
    };
  }
}
