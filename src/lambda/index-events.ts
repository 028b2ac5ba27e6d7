/**
 * The index function: EventBridge "AWS API Call via CloudTrail" events (write calls, as the rule selects
 * them) → the DynamoDB event index, one item per identifier the call refers to, expiring after
 * `INDEX_TTL_HOURS`. This is the producer side of the streaming join: a Config change that arrives a
 * minute later finds its call with one Query per identifier.
 *
 * Reads and failed calls are skipped (the rule should not send them; the handler checks again). A
 * DynamoDB failure, or an event that does not parse, fails the invocation: EventBridge's asynchronous
 * invocation retries it, then the function's on-failure destination keeps it.
 */
import type { Context } from 'aws-lambda';
import { storedKeys } from '../index/dynamodb.js';
import type { EventIndex } from '../index/port.js';
import { indexable } from '../pipeline.js';
import { indexEventsDeps } from './deps.js';
import { type Counters, type Log, METRIC } from './telemetry.js';
import { type CloudTrailEventBridgeEvent, trailEventOf } from './trail-event.js';

export interface IndexEventsDeps {
  readonly index: EventIndex;
  readonly log: Log;
  readonly metrics: Counters;
  /** Items per event at most (the index's own cap; reported in the outcome). Default 50. */
  readonly maxKeysPerEvent?: number;
  /** Called with each invocation's context first (the production wiring adds it to the logger). */
  readonly onInvocation?: (context: Context) => void;
}

export interface IndexOutcome {
  readonly eventId?: string;
  readonly indexed: boolean;
  /** Items written (one per identifier). */
  readonly keys: number;
  /** Why nothing was written. */
  readonly skipped?: string;
}

export type { CloudTrailEventBridgeEvent } from './trail-event.js';

export function createHandler(
  deps: IndexEventsDeps,
): (event: CloudTrailEventBridgeEvent, context?: Context) => Promise<IndexOutcome> {
  return async (event, context) => {
    if (context !== undefined) deps.onInvocation?.(context);
    try {
      return await indexOne(event, deps);
    } finally {
      deps.metrics.flush();
    }
  };
}

async function indexOne(event: CloudTrailEventBridgeEvent, deps: IndexEventsDeps): Promise<IndexOutcome> {
  const { log } = deps;
  const parsed = trailEventOf(event, log);
  if ('skipped' in parsed) {
    log.debug('nothing to index', { id: event?.id, skipped: parsed.skipped });
    return { indexed: false, keys: 0, skipped: parsed.skipped };
  }
  const { trail } = parsed;
  const compact = indexable(trail);
  if (compact === undefined) {
    log.debug('not indexed: a read or a failed call', { eventId: trail.eventId, eventName: trail.eventName });
    return { eventId: trail.eventId, indexed: false, keys: 0, skipped: 'read-only or failed call' };
  }
  const keys = storedKeys(compact, deps.maxKeysPerEvent).length;
  if (keys === 0) {
    log.debug('not indexed: no identifier', { eventId: trail.eventId, eventName: trail.eventName });
    return { eventId: trail.eventId, indexed: false, keys: 0, skipped: 'no identifier' };
  }
  await deps.index.put([compact]);
  deps.metrics.count(METRIC.eventsIndexed);
  log.debug('indexed', { eventId: trail.eventId, eventName: trail.eventName, keys });
  return { eventId: trail.eventId, indexed: true, keys };
}

let production: ((event: CloudTrailEventBridgeEvent, context?: Context) => Promise<IndexOutcome>) | undefined;

/** The Lambda entry point: production wiring from the environment, built on the first invocation. */
export const handler = async (event: CloudTrailEventBridgeEvent, context: Context): Promise<IndexOutcome> => {
  production ??= createHandler(indexEventsDeps());
  return production(event, context);
};
