/**
 * The event index on DynamoDB: the AWS deployment's side of the streaming join.
 *
 * One item per identifier an event carries (its identifiers, then the members of its alias groups):
 *
 * | attribute | value                                                                 |
 * | --------- | --------------------------------------------------------------------- |
 * | `pk`      | `<accountId>#<identifier>`                                            |
 * | `sk`      | `<eventTimeMs, zero-padded to 13 digits>#<eventId>`                   |
 * | `e`       | the IndexedEvent as a JSON string                                     |
 * | `ttl`     | epoch seconds when DynamoDB may delete the item (TTL attribute)      |
 *
 * so that "the events that refer to X in account A between t0 and t1" is one Query per identifier
 * (`pk = :pk AND sk BETWEEN :from AND :to`), and the same event written twice (CloudTrail delivers at
 * least once) overwrites itself. An event's identifiers are capped (`maxKeysPerEvent`, default 50) so
 * one huge event cannot write thousands of items.
 *
 * Writes are BatchWriteItem calls of 25 items, retrying the `UnprocessedItems` DynamoDB hands back
 * (throttling) with exponential backoff and full jitter, a bounded number of times; what is still left
 * fails the put with a retryable `EventIndexError`. An item that does not decode is reported through
 * `onReadProblem` and skipped; it never fails the query of its neighbours.
 */
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { awsErrorInfo, describeAwsError } from '../aws/errors.js';
import { fullJitterMs } from '../core/backoff.js';
import type { IndexedEvent, Principal } from '../core/model.js';
import { indexKeysOf } from './memory.js';
import type { EventIndex, EventQuery } from './port.js';

export interface EventIndexErrorContext {
  readonly table: string;
  readonly operation: 'BatchWriteItem' | 'Query';
  /** The AWS error name, when an SDK call failed. */
  readonly code?: string;
  /** Items not written, for a put. */
  readonly unprocessed?: number;
  /** The partition key queried, for a query. */
  readonly pk?: string;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
}

/** A put or a query of the DynamoDB event index failed. */
export class EventIndexError extends Error {
  public readonly context: EventIndexErrorContext;

  public constructor(message: string, context: EventIndexErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventIndexError';
    this.context = context;
  }

  public get retryable(): boolean {
    return this.context.retryable;
  }
}

/** An item of the index whose `e` attribute is not an IndexedEvent. Reported, never thrown by query. */
export class IndexItemDecodeError extends Error {
  public readonly context: { readonly table: string; readonly pk: string; readonly sk: string };

  public constructor(
    problem: string,
    context: IndexItemDecodeError['context'],
    options?: { cause?: unknown },
  ) {
    super(`${context.table} item ${context.pk} / ${context.sk}: ${problem}`, options);
    this.name = 'IndexItemDecodeError';
    this.context = context;
  }
}

export interface DynamoEventIndexOptions {
  /** A DynamoDBDocumentClient (marshalling of plain values). Its own SDK retries apply to each call. */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** How long an item lives after its event (or after now, for an old event). Default 24. */
  readonly ttlHours?: number;
  /** Items per event at most. Default 50. */
  readonly maxKeysPerEvent?: number;
  /** BatchWriteItem calls per chunk of 25, the first included. Default 8. */
  readonly maxWriteAttempts?: number;
  /** Backoff before retrying UnprocessedItems: base and cap, milliseconds. Default 50 and 2000. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Query calls (and chunks written) in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Pages read per key before the rest is left out (and reported). Default 20. */
  readonly maxPagesPerKey?: number;
  /** Items per Query page (`Limit`). Default: DynamoDB's 1 MB pages. */
  readonly queryPageSize?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /**
   * Called for each item that does not decode (`IndexItemDecodeError`) and for a key whose window holds
   * more than `maxPagesPerKey` pages (`EventIndexError`): the query goes on without them.
   */
  readonly onReadProblem?: (problem: IndexItemDecodeError | EventIndexError) => void;
}

export const DEFAULT_INDEX_TTL_HOURS = 24;
export const DEFAULT_MAX_KEYS_PER_EVENT = 50;
const BATCH_SIZE = 25;
/** `e` larger than this is stored with only the identifiers it is keyed by. */
const MAX_ENCODED_CHARS = 64 * 1024;

/** `<accountId>#<identifier>` */
export function partitionKey(accountId: string, key: string): string {
  return `${accountId}#${key}`;
}

function paddedTime(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(13, '0');
}

/** `<eventTimeMs zero-padded to 13>#<eventId>` */
export function sortKey(eventTimeMs: number, eventId: string): string {
  return `${paddedTime(eventTimeMs)}#${eventId}`;
}

/**
 * The BETWEEN bounds of a time window: every `<time>#<eventId>` with time in [fromMs, toMs]. `$` sorts
 * right after `#`, so `<toMs>$` is above every sort key of that millisecond and below the next one.
 */
export function sortKeyRange(fromMs: number, toMs: number): { from: string; to: string } {
  return { from: `${paddedTime(fromMs)}#`, to: `${paddedTime(toMs)}$` };
}

/** The keys an event is stored under, at most `max` of them: identifiers first, then alias members. */
export function storedKeys(event: IndexedEvent, max = DEFAULT_MAX_KEYS_PER_EVENT): string[] {
  return [...indexKeysOf(event)].slice(0, Math.max(0, max));
}

/** The `e` attribute: the event as JSON; a very large one keeps only what it is keyed by. */
export function encodeIndexedEvent(event: IndexedEvent, keys: readonly string[]): string {
  const full = JSON.stringify(event);
  if (full.length <= MAX_ENCODED_CHARS) return full;
  const kept = new Set(keys);
  return JSON.stringify({
    ...event,
    identifiers: event.identifiers.filter((id) => kept.has(id.value)),
    aliases: event.aliases.filter((group) => group.some((member) => kept.has(member))),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArrayArray(value: unknown): value is string[][] {
  return (
    Array.isArray(value) &&
    value.every((group) => Array.isArray(group) && group.every((m) => typeof m === 'string'))
  );
}

/** The IndexedEvent in an `e` attribute, or a description of what is wrong with it. */
export function decodeIndexedEvent(value: unknown): IndexedEvent | string {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'attribute e is not valid JSON';
    }
  }
  if (!isObject(parsed)) return 'attribute e is not a JSON object';
  for (const key of ['eventId', 'eventName', 'eventSource', 'awsRegion', 'accountId'] as const) {
    if (typeof parsed[key] !== 'string') return `e.${key} is not a string`;
  }
  if (typeof parsed['eventTimeMs'] !== 'number' || !Number.isFinite(parsed['eventTimeMs'])) {
    return 'e.eventTimeMs is not a number';
  }
  const principal = parsed['principal'];
  if (
    !isObject(principal) ||
    typeof principal['type'] !== 'string' ||
    typeof principal['display'] !== 'string' ||
    typeof principal['channel'] !== 'string'
  ) {
    return 'e.principal is not a principal';
  }
  const identifiers = parsed['identifiers'];
  if (
    !Array.isArray(identifiers) ||
    !identifiers.every(
      (id) => isObject(id) && typeof id['value'] === 'string' && typeof id['path'] === 'string',
    )
  ) {
    return 'e.identifiers is not a list of identifiers';
  }
  if (!isStringArrayArray(parsed['aliases'])) return 'e.aliases is not a list of alias groups';
  const optional = (key: string): string | undefined =>
    typeof parsed[key] === 'string' ? (parsed[key] as string) : undefined;
  const userAgent = optional('userAgent');
  const sourceIPAddress = optional('sourceIPAddress');
  return {
    eventId: parsed['eventId'] as string,
    eventName: parsed['eventName'] as string,
    eventSource: parsed['eventSource'] as string,
    eventTimeMs: parsed['eventTimeMs'],
    awsRegion: parsed['awsRegion'] as string,
    accountId: parsed['accountId'] as string,
    principal: principal as unknown as Principal,
    ...(userAgent !== undefined && { userAgent }),
    ...(sourceIPAddress !== undefined && { sourceIPAddress }),
    identifiers: identifiers as IndexedEvent['identifiers'],
    aliases: parsed['aliases'] as string[][],
  };
}

interface IndexItem {
  readonly pk: string;
  readonly sk: string;
  readonly e: string;
  readonly ttl: number;
}

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Runs `work` over `items` with at most `limit` in flight; the results keep the items' order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export class DynamoEventIndex implements EventIndex {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlSeconds: number;
  readonly #maxKeys: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #concurrency: number;
  readonly #maxPages: number;
  readonly #pageSize: number | undefined;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onReadProblem: (problem: IndexItemDecodeError | EventIndexError) => void;

  public constructor(options: DynamoEventIndexOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#ttlSeconds = Math.round((options.ttlHours ?? DEFAULT_INDEX_TTL_HOURS) * 3600);
    this.#maxKeys = options.maxKeysPerEvent ?? DEFAULT_MAX_KEYS_PER_EVENT;
    this.#maxAttempts = Math.max(1, options.maxWriteAttempts ?? 8);
    this.#baseDelayMs = options.baseDelayMs ?? 50;
    this.#maxDelayMs = options.maxDelayMs ?? 2000;
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
    this.#maxPages = Math.max(1, options.maxPagesPerKey ?? 20);
    this.#pageSize = options.queryPageSize;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#onReadProblem = options.onReadProblem ?? (() => undefined);
  }

  /** The items `events` are stored as: one per stored key, duplicates (same pk and sk) once. */
  public itemsOf(events: readonly IndexedEvent[]): IndexItem[] {
    const nowSeconds = Math.floor(this.#now() / 1000);
    const items = new Map<string, IndexItem>();
    for (const event of events) {
      const keys = storedKeys(event, this.#maxKeys);
      if (keys.length === 0) continue;
      const e = encodeIndexedEvent(event, keys);
      const sk = sortKey(event.eventTimeMs, event.eventId);
      const ttl = Math.max(Math.floor(event.eventTimeMs / 1000), nowSeconds) + this.#ttlSeconds;
      for (const key of keys) {
        const pk = partitionKey(event.accountId, key);
        items.set(`${pk}\n${sk}`, { pk, sk, e, ttl });
      }
    }
    return [...items.values()];
  }

  public async put(events: readonly IndexedEvent[]): Promise<void> {
    const items = this.itemsOf(events);
    const chunks: IndexItem[][] = [];
    for (let i = 0; i < items.length; i += BATCH_SIZE) chunks.push(items.slice(i, i + BATCH_SIZE));
    const left = await mapLimit(chunks, this.#concurrency, (chunk) => this.#writeChunk(chunk));
    const unprocessed = left.reduce((sum, n) => sum + n, 0);
    if (unprocessed > 0) {
      throw new EventIndexError(
        `${this.#table}: ${unprocessed} of ${items.length} index items were still unprocessed after ${this.#maxAttempts} attempts`,
        { table: this.#table, operation: 'BatchWriteItem', unprocessed, retryable: true },
      );
    }
  }

  /** Writes one chunk; resolves to the number of items still unprocessed after the last attempt. */
  async #writeChunk(chunk: readonly IndexItem[]): Promise<number> {
    let pending: WriteRequest[] = chunk.map((item) => ({ PutRequest: { Item: { ...item } } }));
    for (let attempt = 1; ; attempt++) {
      let output: BatchWriteCommandOutput;
      try {
        output = await this.#client.send(new BatchWriteCommand({ RequestItems: { [this.#table]: pending } }));
      } catch (error) {
        const info = awsErrorInfo(error);
        throw new EventIndexError(
          `${this.#table}: BatchWriteItem failed: ${describeAwsError(error)}`,
          { table: this.#table, operation: 'BatchWriteItem', code: info.code, retryable: info.retryable },
          { cause: error },
        );
      }
      pending = output.UnprocessedItems?.[this.#table] ?? [];
      if (pending.length === 0) return 0;
      if (attempt >= this.#maxAttempts) return pending.length;
      await this.#sleep(fullJitterMs(attempt, this.#baseDelayMs, this.#maxDelayMs, this.#random));
    }
  }

  public async query(query: EventQuery): Promise<IndexedEvent[]> {
    if (query.fromMs > query.toMs || query.keys.length === 0) return [];
    const keys = [...new Set(query.keys)];
    const pages = await mapLimit(keys, this.#concurrency, (key) =>
      this.#queryKey(partitionKey(query.accountId, key), query.fromMs, query.toMs),
    );
    const found = new Map<string, IndexedEvent>();
    for (const events of pages)
      for (const event of events) if (!found.has(event.eventId)) found.set(event.eventId, event);
    return [...found.values()].sort(
      (a, b) => a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
    );
  }

  async #queryKey(pk: string, fromMs: number, toMs: number): Promise<IndexedEvent[]> {
    const { from, to } = sortKeyRange(fromMs, toMs);
    const events: IndexedEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < this.#maxPages; page++) {
      let output: QueryCommandOutput;
      try {
        output = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
            ...(this.#pageSize !== undefined && { Limit: this.#pageSize }),
            ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (error) {
        const info = awsErrorInfo(error);
        throw new EventIndexError(
          `${this.#table}: Query failed: ${describeAwsError(error)}`,
          { table: this.#table, operation: 'Query', pk, code: info.code, retryable: info.retryable },
          { cause: error },
        );
      }
      for (const item of output.Items ?? []) {
        const sk = typeof item['sk'] === 'string' ? item['sk'] : '?';
        const decoded = decodeIndexedEvent(item['e']);
        if (typeof decoded === 'string') {
          this.#onReadProblem(new IndexItemDecodeError(decoded, { table: this.#table, pk, sk }));
        } else {
          events.push(decoded);
        }
      }
      startKey = output.LastEvaluatedKey;
      if (startKey === undefined) return events;
    }
    this.#onReadProblem(
      new EventIndexError(
        `${this.#table}: ${pk} has more than ${this.#maxPages} pages in the window; the rest was not read`,
        { table: this.#table, operation: 'Query', pk, retryable: false },
      ),
    );
    return events;
  }
}
