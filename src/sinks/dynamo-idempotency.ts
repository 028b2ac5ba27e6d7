/**
 * The idempotency store of the AWS deployment: Powertools for AWS Lambda's `DynamoDBPersistenceLayer`
 * behind the `IdempotencyStore` port, so that a notification is posted once whatever delivers it (an SQS
 * redelivery, two Lambda instances holding the same message, the alerts function retried by EventBridge).
 *
 * The port's three steps are the persistence layer's own:
 *
 * | port       | persistence layer                  | DynamoDB                                      |
 * | ---------- | ---------------------------------- | --------------------------------------------- |
 * | `claim`    | `saveInProgress(key, remainingMs)` | conditional PutItem, status `INPROGRESS`      |
 * | `complete` | `saveSuccess(key)`                 | UpdateItem, status `COMPLETED`                |
 * | `release`  | `deleteRecord(key)`                | DeleteItem                                    |
 *
 * A claim that finds the record (`IdempotencyItemAlreadyExistsError`) reads its status: `COMPLETED` is
 * `done`, `INPROGRESS` is `in-progress`. The conditional put lets a claim take over an in-progress record
 * whose `in_progress_expiration` has passed (the Lambda that held it timed out), so a crash never blocks
 * a notification for longer than the invocation that crashed. DynamoDB Local and dynalite do not return
 * the old item on a failed condition; the record is then read with a consistent GetItem.
 *
 * Table: partition key `id` (string), TTL attribute `expiration` (epoch seconds), as Powertools
 * documents. Keys are stored as `<keyPrefix>#<md5 of the key>`; the prefix is fixed (`cloudblame`), not
 * the function name, so the attribution and alerts functions and a renamed function share the records.
 *
 * Why not `makeIdempotent` around the delivery function: the port must tell "delivered before" from
 * "being delivered by someone else" (the first is success, the second a retryable failure) and must give
 * a failed delivery's claim back at once so the SQS redelivery can post it; the persistence layer's
 * methods are exactly that, without wrapping the sink call in a function whose result is cached.
 */

import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsErrorInfo, describeAwsError } from '../aws/errors.js';
import type { ClaimOutcome, IdempotencyStore } from './idempotency.js';

export interface IdempotencyStoreErrorContext {
  readonly table: string;
  readonly operation: 'claim' | 'complete' | 'release';
  /** The AWS error name. */
  readonly code: string;
  readonly retryable: boolean;
}

/** The idempotency table could not be read or written. The key itself is not secret, but not quoted. */
export class IdempotencyStoreError extends Error {
  public readonly context: IdempotencyStoreErrorContext;

  public constructor(message: string, context: IdempotencyStoreErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdempotencyStoreError';
    this.context = context;
  }
}

export interface DynamoIdempotencyStoreOptions {
  /** A DynamoDBClient for the persistence layer (it adds its user-agent middleware to it). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** How long a completed delivery is remembered. Default 7 days (longer than any SQS retention). */
  readonly expiresAfterSeconds?: number;
  /** Default `cloudblame`. */
  readonly keyPrefix?: string;
  /**
   * How long the current invocation may still run (Lambda `context.getRemainingTimeInMillis`): a claim
   * expires then. Default: `inProgressTtlMs`.
   */
  readonly remainingTimeMs?: () => number | undefined;
  /** Claim lifetime when the remaining time is unknown. Default 15 minutes (the longest Lambda run). */
  readonly inProgressTtlMs?: number;
  /** Keep completed keys in memory too (Powertools' local cache), sparing a DynamoDB call. Default true. */
  readonly useLocalCache?: boolean;
}

export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 7 * 24 * 3600;

/** The Powertools layer, with the record id of a key made visible. */
class PersistenceLayer extends DynamoDBPersistenceLayer {
  public recordIdOf(key: string): string {
    return this.getHashedIdempotencyKey(key);
  }
}

export class DynamoIdempotencyStore implements IdempotencyStore {
  readonly #layer: PersistenceLayer;
  readonly #table: string;
  readonly #remainingTimeMs: () => number | undefined;
  readonly #inProgressTtlMs: number;

  public constructor(options: DynamoIdempotencyStoreOptions) {
    this.#table = options.tableName;
    this.#remainingTimeMs = options.remainingTimeMs ?? (() => undefined);
    this.#inProgressTtlMs = options.inProgressTtlMs ?? 15 * 60_000;
    this.#layer = new PersistenceLayer({
      tableName: options.tableName,
      awsSdkV3Client: options.client,
    });
    this.#layer.configure({
      config: new IdempotencyConfig({
        expiresAfterSeconds: options.expiresAfterSeconds ?? DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
        useLocalCache: options.useLocalCache ?? true,
      }),
      keyPrefix: options.keyPrefix ?? 'cloudblame',
    });
  }

  /** The record id the key is stored under (for tests and operators). */
  public recordId(key: string): string {
    return this.#layer.recordIdOf(key);
  }

  public async claim(key: string): Promise<ClaimOutcome> {
    // Two rounds: a record deleted or expired between the put and the read is claimed again once.
    for (let round = 0; round < 2; round++) {
      try {
        await this.#layer.saveInProgress(key, this.#remainingTimeMs() ?? this.#inProgressTtlMs);
        return 'claimed';
      } catch (error) {
        if (!(error instanceof IdempotencyItemAlreadyExistsError)) throw this.#error('claim', error);
        const status = await this.#statusOf(key, error);
        if (status === IdempotencyRecordStatus.COMPLETED) return 'done';
        if (status === IdempotencyRecordStatus.INPROGRESS) return 'in-progress';
      }
    }
    return 'in-progress';
  }

  public async complete(key: string): Promise<void> {
    try {
      await this.#layer.saveSuccess(key, undefined);
    } catch (error) {
      throw this.#error('complete', error);
    }
  }

  public async release(key: string): Promise<void> {
    try {
      await this.#layer.deleteRecord(key);
    } catch (error) {
      throw this.#error('release', error);
    }
  }

  /** The status of the record a claim ran into, or undefined when it is gone or expired. */
  async #statusOf(key: string, conflict: IdempotencyItemAlreadyExistsError): Promise<string | undefined> {
    let record = conflict.existingRecord;
    if (record === undefined) {
      try {
        record = await this.#layer.getRecord(key);
      } catch (error) {
        if (error instanceof IdempotencyItemNotFoundError) return undefined;
        throw this.#error('claim', error);
      }
    }
    try {
      const status = record.getStatus();
      return status === IdempotencyRecordStatus.EXPIRED ? undefined : status;
    } catch {
      // A status this version does not know: treat it as someone else's work.
      return IdempotencyRecordStatus.INPROGRESS;
    }
  }

  #error(operation: IdempotencyStoreErrorContext['operation'], error: unknown): IdempotencyStoreError {
    const info = awsErrorInfo(error);
    return new IdempotencyStoreError(
      `idempotency table ${this.#table}: ${operation} failed: ${describeAwsError(error)}`,
      { table: this.#table, operation, code: info.code, retryable: info.retryable },
      { cause: error },
    );
  }
}
