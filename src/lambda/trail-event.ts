import type { EventBridgeEvent } from 'aws-lambda';
import type { TrailEvent } from '../core/model.js';
import { parseCloudTrailDocument } from '../core/parse/cloudtrail.js';
import { errorFields, type Log } from './telemetry.js';

/** An EventBridge "AWS API Call via CloudTrail" (or console sign-in) event, as the rules deliver it. */
export type CloudTrailEventBridgeEvent = EventBridgeEvent<string, unknown>;

/** The CloudTrail record an EventBridge event carries, or why there is none (an Insights event, say). */
export type TrailEventOrSkip = { readonly trail: TrailEvent } | { readonly skipped: string };

/**
 * Parses the record in an EventBridge CloudTrail event. An unusable one is logged and thrown, so that
 * EventBridge retries it and then sends it to the function's failed-events queue: never dropped silently.
 */
export function trailEventOf(event: CloudTrailEventBridgeEvent, log: Log): TrailEventOrSkip {
  const source = `eventbridge:${typeof event?.id === 'string' ? event.id : '?'}`;
  const parsed = parseCloudTrailDocument(event, source);
  const [error] = parsed.errors;
  if (error !== undefined) {
    log.error('unusable CloudTrail event', errorFields(error));
    throw error;
  }
  const [trail] = parsed.events;
  if (trail !== undefined) return { trail };
  return { skipped: Object.keys(parsed.skipped).join(', ') || 'no CloudTrail record' };
}
