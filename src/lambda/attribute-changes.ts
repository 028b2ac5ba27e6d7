/**
 * The attribution function: SQS batches of AWS Config "Configuration Item Change" events (EventBridge
 * events, one per message) → attributed, judged, archived and notified changes.
 *
 * Per message (records are independent: Powertools `BatchProcessor`, partial batch responses):
 *
 * 1. parse the body (an EventBridge event, or an SNS notification) with the project's parser; a message
 *    that is not a Config change fails alone (it reaches the dead-letter queue after maxReceiveCount);
 * 2. an oversized change gets its full item (S3 delivery object, else `GetResourceConfigHistory`);
 * 3. the event index is queried; when it has nothing yet and the change is younger than
 *    `FALLBACK_AFTER_MINUTES` (15), the message is deferred (visibility timeout backoff) instead of
 *    sleeping; past that, CloudTrail `LookupEvents` is asked through the per-account-region token bucket;
 *    a change still unexplained is reported unattributed, with the reason;
 * 4. the policy decides (out-of-band, suppressed...), the raw message is archived in S3 (linked from
 *    the notification), and the finding goes to every channel that takes it, once per channel
 *    (idempotency on DynamoDB): a redelivered message posts nothing it posted before;
 * 5. the findings of the batch's records are sent together (`BatchNotifier`): a principal's session
 *    becomes one message per channel, not one per change, and each record still succeeds or fails alone.
 *
 * A record that fails for a reason that may pass (DynamoDB error, throttling, Slack 5xx) is reported as a
 * batch item failure with a shorter visibility timeout; the others in the batch are not affected.
 */

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ArchiveError, type ConfigArchive } from '../aws/archive.js';
import { ConfigItemError, type ConfigItemFetcher } from '../aws/config-item.js';
import { LookupEventsError, type LookupEventsFallback, LookupThrottledError } from '../aws/lookup-events.js';
import type { CloudBlameConfig } from '../core/config/schema.js';
import { InputError } from '../core/errors.js';
import type { Attribution, ChangeFinding, ConfigChange, JsonObject } from '../core/model.js';
import { idempotencyKey } from '../core/notify/key.js';
import { parseConfigDocument } from '../core/parse/config.js';
import { resourceTypeFilter } from '../core/policy/checks.js';
import { iacStatusOf } from '../core/policy.js';
import { attributeChange } from '../index/attribute.js';
import type { EventIndex } from '../index/port.js';
import { type BatchFinding, changeFinding, groupDeliveryItemsFor, type RoutedSink } from '../pipeline.js';
import { type DeliveryReport, deliverAll } from '../sinks/deliver.js';
import type { IdempotencyStore } from '../sinks/idempotency.js';
import type { RetryPolicy } from '../sinks/retry.js';
import { BatchNotifier } from './batch-notifier.js';
import {
  type BackoffPolicy,
  backoffSeconds,
  ChangeDeferredError,
  type DeferReason,
  type MessageVisibility,
  queueUrlFromArn,
  THROTTLED_BACKOFF,
  YOUNG_CHANGE_BACKOFF,
} from './defer.js';
import { attributeChangesDeps } from './deps.js';
import { DeliveryFailedError, deliveryDeadline, deliveryLog, retryUntil } from './notify.js';
import { type Counters, errorFields, type Log, METRIC } from './telemetry.js';

export const DEFAULT_FALLBACK_AFTER_MINUTES = 15;

/** For a record that failed in a way that may pass: 30 s, 60 s, ... 5 minutes. */
export const RETRY_BACKOFF: BackoffPolicy = { baseSeconds: 30, maxSeconds: 300 };

export interface AttributeChangesDeps {
  readonly config: CloudBlameConfig;
  readonly index: EventIndex;
  readonly fallback: Pick<LookupEventsFallback, 'attribute'>;
  readonly fullItems: Pick<ConfigItemFetcher, 'fetch'>;
  /** Absent: nothing is archived and notifications carry no archive link. */
  readonly archive?: Pick<ConfigArchive, 'archive'>;
  readonly visibility: MessageVisibility;
  readonly store: IdempotencyStore;
  readonly sinks: readonly RoutedSink[];
  readonly log: Log;
  readonly metrics: Counters;
  /** Milliseconds. */
  readonly now: () => number;
  /** How long after capture the index is trusted alone. Default 15 minutes. */
  readonly fallbackAfterMs?: number;
  /** Delivery retries within the invocation. Default `LAMBDA_RETRY`. */
  readonly retry?: RetryPolicy;
  readonly youngBackoff?: BackoffPolicy;
  readonly throttledBackoff?: BackoffPolicy;
  readonly retryBackoff?: BackoffPolicy;
  /** Called with each invocation's context first (the production wiring tells the idempotency store). */
  readonly onInvocation?: (context: Context) => void;
  /**
   * Longest wait for a batch's other records before its findings are sent without them (see
   * `BatchNotifier`). @default 20 000 ms
   */
  readonly groupWaitMs?: number;
}

/** The notifier a batch's records share. */
export type ChangeNotifier = BatchNotifier<BatchFinding>;

/** What one record came to; logged, and returned by `processRecord` for tests. */
export interface RecordOutcome {
  readonly messageId: string;
  readonly changes: number;
  readonly skipped: Record<string, number>;
  readonly findings: readonly ChangeFinding[];
  readonly delivered: number;
  readonly alreadyDelivered: number;
}

function receiveCountOf(record: SQSRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) && count >= 1 ? count : 1;
}

function regionOf(doc: unknown, record: SQSRecord): string | undefined {
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const region = (doc as JsonObject)['region'];
    if (typeof region === 'string' && region !== '') return region;
  }
  return record.awsRegion === '' ? undefined : record.awsRegion;
}

/** Whether the configuration's resource type filter lets the change through. */
function isReported(change: ConfigChange, config: CloudBlameConfig): boolean {
  const attribution: Attribution = { status: 'unattributed', reason: '' };
  const context = { change, attribution, config, iac: iacStatusOf(change, config.iac) };
  return resourceTypeFilter(context).outcome === 'not-applicable';
}

function retryableOf(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable === true;
}

export class ChangeProcessor {
  readonly #deps: AttributeChangesDeps;
  readonly #fallbackAfterMs: number;

  public constructor(deps: AttributeChangesDeps) {
    this.#deps = deps;
    this.#fallbackAfterMs = deps.fallbackAfterMs ?? DEFAULT_FALLBACK_AFTER_MINUTES * 60_000;
  }

  /**
   * The notifier of a batch of `records`; its records are handed to `processRecord` with it. No delivery
   * starts after `deadlineMs` (see `deliveryDeadline`).
   */
  public notifier(records: number, deadlineMs?: number): ChangeNotifier {
    return new BatchNotifier({
      records,
      send: (findings) => this.#send(findings, deadlineMs),
      keyOf: (item) => idempotencyKey(item.finding),
      ...(this.#deps.groupWaitMs !== undefined && { maxWaitMs: this.#deps.groupWaitMs }),
    });
  }

  /**
   * One SQS record, whose findings go out with those of the other records sharing `notifier` (alone
   * when none is given). Throws to report it as a batch item failure.
   */
  public async processRecord(
    record: SQSRecord,
    notifier: ChangeNotifier = this.notifier(1),
  ): Promise<RecordOutcome> {
    const turn = { taken: false };
    try {
      return await this.#process(record, notifier, turn);
    } catch (error) {
      // The other records wait for this one to hand its findings in or to step aside.
      if (!turn.taken) notifier.withdraw();
      turn.taken = true;
      await this.#onFailure(record, error);
      throw error;
    }
  }

  async #send(findings: readonly BatchFinding[], deadlineMs: number | undefined): Promise<DeliveryReport> {
    const windowMs = this.#deps.config.notifications.groupWindowMinutes * 60_000;
    const items = groupDeliveryItemsFor(findings, this.#deps.sinks, windowMs);
    return deliverAll(items, this.#deps.store, retryUntil(this.#deps.retry, deadlineMs), {
      log: deliveryLog(this.#deps.log, { findings: findings.length, messages: items.length }),
    });
  }

  async #process(
    record: SQSRecord,
    notifier: ChangeNotifier,
    turn: { taken: boolean },
  ): Promise<RecordOutcome> {
    const { log } = this.#deps;
    const source = `sqs:${record.messageId}`;
    let doc: unknown;
    try {
      doc = JSON.parse(record.body) as unknown;
    } catch (error) {
      throw new InputError('the message body is not valid JSON', { source }, { cause: error });
    }
    const parsed = parseConfigDocument(doc, source);
    const [firstError] = parsed.errors;
    if (firstError !== undefined) {
      for (const error of parsed.errors)
        log.error('unusable Config message', { messageId: record.messageId, ...errorFields(error) });
      throw firstError;
    }
    if (parsed.changes.length === 0) {
      log.info('message holds no configuration item change', {
        messageId: record.messageId,
        skipped: parsed.skipped,
      });
    }
    const recordingRegion = regionOf(doc, record);
    const ready: BatchFinding[] = [];
    const findings: ChangeFinding[] = [];
    for (const change of parsed.changes) {
      const item = await this.#processChange(change, record, recordingRegion);
      ready.push(item);
      findings.push(item.finding);
    }
    turn.taken = true;
    let delivery: DeliveryReport = { delivered: [], skipped: [], failed: [] };
    if (ready.length === 0) notifier.withdraw();
    else delivery = await notifier.submit(ready);
    this.#deps.log.info('record notified', {
      messageId: record.messageId,
      changes: findings.length,
      delivered: delivery.delivered.length,
      alreadyDelivered: delivery.skipped.length,
      failed: delivery.failed.length,
    });
    if (delivery.failed.length > 0) {
      this.#deps.metrics.count(METRIC.deliveryFailures, delivery.failed.length);
      throw new DeliveryFailedError(delivery.failed);
    }
    // Counted once the record is done: a redelivered record is not counted twice.
    for (const finding of findings) this.#countFinding(finding);
    return {
      messageId: record.messageId,
      changes: parsed.changes.length,
      skipped: parsed.skipped,
      findings,
      delivered: delivery.delivered.length,
      alreadyDelivered: delivery.skipped.length,
    };
  }

  async #processChange(
    received: ConfigChange,
    record: SQSRecord,
    recordingRegion: string | undefined,
  ): Promise<BatchFinding & { readonly finding: ChangeFinding }> {
    const { config, log } = this.#deps;
    const change = received.oversized ? await this.#fullItem(received, recordingRegion) : received;
    const windowMs = config.correlation.windowMinutes * 60_000;
    let attribution: Attribution = await attributeChange(change, this.#deps.index, { windowMs });
    // A resource type the configuration does not report is not worth a wait or a LookupEvents call.
    if (attribution.status === 'unattributed' && !isReported(change, config)) {
      log.debug('resource type not reported; not waiting for its event', {
        resourceType: change.resourceType,
      });
    } else if (attribution.status === 'unattributed') {
      const ageMs = this.#deps.now() - change.captureTimeMs;
      if (ageMs < this.#fallbackAfterMs) {
        await this.#defer(
          record,
          'not-in-index-yet',
          this.#deps.youngBackoff ?? YOUNG_CHANGE_BACKOFF,
          this.#fallbackAfterMs - ageMs,
        );
      }
      attribution = await this.#lookup(change, record, attribution, windowMs);
    }
    const finding = changeFinding(change, attribution, config);
    const archiveUrl = await this.#archive(change, record);
    log.info('change processed', {
      messageId: record.messageId,
      resourceType: change.resourceType,
      resourceId: change.resourceId,
      configurationStateId: change.configurationStateId,
      attribution: attribution.status,
      ...(attribution.status === 'attributed' && {
        eventId: attribution.event.eventId,
        via: attribution.via,
      }),
      action: finding.verdict.action,
      outOfBand: finding.verdict.outOfBand,
      severity: finding.severity,
    });
    return {
      finding,
      ...(archiveUrl !== undefined && { archiveUrl }),
      ...(recordingRegion !== undefined && { globalResourceRegion: recordingRegion }),
    };
  }

  /** The full item of an oversized change; the summary when it cannot be had for good. */
  async #fullItem(change: ConfigChange, recordingRegion: string | undefined): Promise<ConfigChange> {
    try {
      const full = await this.#deps.fullItems.fetch(
        change,
        recordingRegion === undefined ? {} : { recordingRegion },
      );
      if (full.diff === 'unavailable') {
        this.#deps.log.info('oversized change: full item fetched without a diff', {
          resourceType: change.resourceType,
          resourceId: change.resourceId,
          source: full.source,
          note: full.note,
        });
      }
      return full.change;
    } catch (error) {
      if (error instanceof ConfigItemError && !error.retryable) {
        this.#deps.log.warn('oversized change: full item unavailable, using the summary', {
          resourceType: change.resourceType,
          resourceId: change.resourceId,
          ...errorFields(error),
        });
        return change;
      }
      throw error;
    }
  }

  /** The LookupEvents fallback: attributed, or unattributed with both reasons. Throttling defers. */
  async #lookup(
    change: ConfigChange,
    record: SQSRecord,
    fromIndex: Extract<Attribution, { status: 'unattributed' }>,
    windowMs: number,
  ): Promise<Attribution> {
    const { metrics, log } = this.#deps;
    metrics.count(METRIC.fallbackLookups);
    try {
      const result = await this.#deps.fallback.attribute(change, { windowMs });
      return result.attribution;
    } catch (error) {
      if (error instanceof LookupThrottledError) {
        await this.#defer(
          record,
          'lookup-throttled',
          this.#deps.throttledBackoff ?? THROTTLED_BACKOFF,
          undefined,
          error,
        );
      }
      if (error instanceof LookupEventsError && !error.retryable) {
        // Denied, or an invalid request: retrying cannot help. The change is still reported.
        log.error('LookupEvents fallback failed', { resourceId: change.resourceId, ...errorFields(error) });
        return {
          status: 'unattributed',
          reason: `${fromIndex.reason}; the LookupEvents fallback failed (${error.context.code ?? error.name})`,
        };
      }
      throw error;
    }
  }

  async #archive(change: ConfigChange, record: SQSRecord): Promise<string | undefined> {
    if (this.#deps.archive === undefined) return undefined;
    try {
      const archived = await this.#deps.archive.archive(change, record.body);
      return archived.consoleUrl;
    } catch (error) {
      if (error instanceof ArchiveError && !error.retryable) {
        this.#deps.log.error('raw message not archived', {
          messageId: record.messageId,
          ...errorFields(error),
        });
        return undefined;
      }
      throw error;
    }
  }

  /** Sets the message's visibility to the backoff and throws ChangeDeferredError. */
  async #defer(
    record: SQSRecord,
    reason: DeferReason,
    policy: BackoffPolicy,
    dueInMs?: number,
    cause?: unknown,
  ): Promise<never> {
    const receiveCount = receiveCountOf(record);
    const delaySeconds = backoffSeconds(receiveCount, policy, dueInMs);
    const visibilityChanged = await this.#setVisibility(record, delaySeconds);
    this.#deps.metrics.count(METRIC.changesDeferred);
    this.#deps.log.info('change deferred', {
      messageId: record.messageId,
      reason,
      delaySeconds,
      receiveCount,
    });
    throw new ChangeDeferredError(
      `deferred (${reason}) for ${delaySeconds} s`,
      { reason, delaySeconds, receiveCount, visibilityChanged },
      { cause },
    );
  }

  async #setVisibility(record: SQSRecord, seconds: number): Promise<boolean> {
    const queueUrl = queueUrlFromArn(record.eventSourceARN);
    if (queueUrl === undefined) {
      this.#deps.log.warn('cannot derive the queue URL from eventSourceARN', {
        eventSourceARN: record.eventSourceARN,
      });
      return false;
    }
    try {
      await this.#deps.visibility.change(queueUrl, record.receiptHandle, seconds);
      return true;
    } catch (error) {
      // The message still comes back, after the queue's own visibility timeout.
      this.#deps.log.warn('ChangeMessageVisibility failed', {
        messageId: record.messageId,
        ...errorFields(error),
      });
      return false;
    }
  }

  /** A retryable failure comes back sooner than the queue's visibility timeout; others are logged. */
  async #onFailure(record: SQSRecord, error: unknown): Promise<void> {
    if (error instanceof ChangeDeferredError) return;
    const retryable = retryableOf(error);
    this.#deps.log.error('record failed', {
      messageId: record.messageId,
      receiveCount: receiveCountOf(record),
      retryable,
      ...errorFields(error),
    });
    if (retryable) {
      await this.#setVisibility(
        record,
        backoffSeconds(receiveCountOf(record), this.#deps.retryBackoff ?? RETRY_BACKOFF),
      );
    }
  }

  #countFinding(finding: ChangeFinding): void {
    const { metrics } = this.#deps;
    metrics.count(
      finding.attribution.status === 'attributed' ? METRIC.changesAttributed : METRIC.changesUnattributed,
    );
    if (finding.verdict.outOfBand) metrics.count(METRIC.outOfBandChanges);
  }
}

/** The handler for `deps`: a batch in, `{ batchItemFailures }` out. */
export function createHandler(
  deps: AttributeChangesDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const changes = new ChangeProcessor(deps);
  return async (event, context) => {
    deps.onInvocation?.(context);
    const notifier = changes.notifier(Math.max(1, event.Records.length), deliveryDeadline(context));
    const recordHandler = async (record: SQSRecord): Promise<RecordOutcome> =>
      changes.processRecord(record, notifier);
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        context,
        // A batch whose records all failed is still a partial response: each failure has its own
        // visibility timeout, and an invocation error would reset none of them.
        throwOnFullBatchFailure: false,
        // The records wait for each other to send their findings together: they must run side by side.
        processInParallel: true,
      });
    } finally {
      deps.metrics.flush();
    }
  };
}

let production: ((event: SQSEvent, context: Context) => Promise<SQSBatchResponse>) | undefined;

/**
 * The Lambda entry point. The production wiring (environment, bundled configuration, SDK clients) is
 * built on the first invocation, which gives it the function's account (for the LookupEvents fallback);
 * an invalid environment or configuration fails that invocation, loudly, and the next one tries again.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  production ??= createHandler(await attributeChangesDeps(context));
  return production(event, context);
};
