/**
 * The alerts function: EventBridge "AWS API Call via CloudTrail" and "AWS Console Sign In via CloudTrail"
 * events that matched a critical-action rule's pattern (the EventBridge rule does the pattern part).
 * The handler runs the full rule set again, conditions and suppressions included (a pattern cannot say
 * "an ingress rule open to 0.0.0.0/0"), renders each alert and delivers it to the channels that take it,
 * once per channel: the key is `alert:<ruleId>:<eventId>`, so EventBridge's retries and a second delivery
 * of the same event post nothing twice.
 *
 * A delivery that fails fails the invocation, so that EventBridge's asynchronous invocation retries it
 * (what was delivered is skipped) and then the on-failure destination keeps the event.
 */
import type { Context } from 'aws-lambda';
import type { CloudBlameConfig } from '../core/config/schema.js';
import { resolveRuleSet } from '../core/rules/config.js';
import type { RuleSet } from '../core/rules/model.js';
import { alertsFor, deliveryItemsFor, type RoutedSink } from '../pipeline.js';
import { deliverAll } from '../sinks/deliver.js';
import type { IdempotencyStore } from '../sinks/idempotency.js';
import type { RetryPolicy } from '../sinks/retry.js';
import { alertsDeps } from './deps.js';
import { DeliveryFailedError, deliveryDeadline, deliveryLog, retryUntil } from './notify.js';
import { type Counters, type Log, METRIC } from './telemetry.js';
import { type CloudTrailEventBridgeEvent, trailEventOf } from './trail-event.js';

export interface AlertsDeps {
  readonly config: CloudBlameConfig;
  /** Default: the built-in and custom rules of `config.rules`, with its suppressions. */
  readonly ruleSet?: RuleSet;
  readonly store: IdempotencyStore;
  readonly sinks: readonly RoutedSink[];
  readonly log: Log;
  readonly metrics: Counters;
  readonly retry?: RetryPolicy;
  readonly onInvocation?: (context: Context) => void;
}

export interface AlertsOutcome {
  readonly eventId?: string;
  /** Rule ids of the alerts raised. */
  readonly alerts: readonly string[];
  readonly suppressed: readonly { readonly ruleId: string; readonly reason: string }[];
  readonly delivered: number;
  readonly alreadyDelivered: number;
}

export function createHandler(
  deps: AlertsDeps,
): (event: CloudTrailEventBridgeEvent, context?: Context) => Promise<AlertsOutcome> {
  const ruleSet = deps.ruleSet ?? resolveRuleSet(deps.config.rules);
  return async (event, context) => {
    if (context !== undefined) deps.onInvocation?.(context);
    const deadlineMs = deliveryDeadline(context);
    try {
      return await alertOne(event, ruleSet, deps, deadlineMs);
    } finally {
      deps.metrics.flush();
    }
  };
}

async function alertOne(
  event: CloudTrailEventBridgeEvent,
  ruleSet: RuleSet,
  deps: AlertsDeps,
  deadlineMs: number | undefined,
): Promise<AlertsOutcome> {
  const { log } = deps;
  const parsed = trailEventOf(event, log);
  if ('skipped' in parsed) return { alerts: [], suppressed: [], delivered: 0, alreadyDelivered: 0 };
  const { trail } = parsed;
  const evaluation = alertsFor(trail, ruleSet);
  const suppressed = evaluation.suppressed.map((s) => ({
    ruleId: s.alert.rule.id,
    reason: s.suppression.reason,
  }));
  for (const s of suppressed) log.info('alert suppressed', { eventId: trail.eventId, ...s });
  const items = evaluation.alerts.flatMap((alert) => deliveryItemsFor(alert, deps.sinks));
  const report = await deliverAll(items, deps.store, retryUntil(deps.retry, deadlineMs), {
    log: deliveryLog(log, { eventId: trail.eventId }),
  });
  log.info('event evaluated', {
    eventId: trail.eventId,
    eventName: trail.eventName,
    alerts: evaluation.alerts.map((a) => a.rule.id),
    suppressed: suppressed.length,
    delivered: report.delivered.length,
    alreadyDelivered: report.skipped.length,
    failed: report.failed.length,
  });
  if (report.failed.length > 0) {
    deps.metrics.count(METRIC.deliveryFailures, report.failed.length);
    throw new DeliveryFailedError(report.failed);
  }
  deps.metrics.count(METRIC.alertsRaised, evaluation.alerts.length);
  return {
    eventId: trail.eventId,
    alerts: evaluation.alerts.map((a) => a.rule.id),
    suppressed,
    delivered: report.delivered.length,
    alreadyDelivered: report.skipped.length,
  };
}

let production:
  | ((event: CloudTrailEventBridgeEvent, context?: Context) => Promise<AlertsOutcome>)
  | undefined;

/** The Lambda entry point: production wiring from the environment, built on the first invocation. */
export const handler = async (
  event: CloudTrailEventBridgeEvent,
  context: Context,
): Promise<AlertsOutcome> => {
  production ??= createHandler(alertsDeps());
  return production(event, context);
};
