/**
 * Logs and metrics of the handlers, behind two small interfaces so that tests can record them: the
 * production wiring passes Powertools' `Logger` (structured JSON) and a `Metrics`-backed counter set
 * (CloudWatch embedded metric format, flushed at the end of each invocation).
 *
 * Nothing logged is a secret: log entries carry names, ids, ARNs of resources and AWS error names, never
 * a webhook URL (sinks redact them) nor a secret value.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** `Log` on Powertools' structured logger. */
export function powertoolsLog(logger: Logger): Log {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, extra?: Record<string, unknown>): void => {
      if (extra === undefined) logger[level](message);
      else logger[level](message, extra);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The metrics cloudblame publishes (namespace `POWERTOOLS_METRICS_NAMESPACE`), all counts. */
export const METRIC = {
  changesAttributed: 'ChangesAttributed',
  changesUnattributed: 'ChangesUnattributed',
  outOfBandChanges: 'OutOfBandChanges',
  changesDeferred: 'ChangesDeferred',
  fallbackLookups: 'FallbackLookups',
  lookupThrottles: 'LookupThrottles',
  deliveryFailures: 'DeliveryFailures',
  alertsRaised: 'AlertsRaised',
  eventsIndexed: 'EventsIndexed',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export interface Counters {
  count(name: MetricName, value?: number): void;
  /** Publishes what was counted since the last flush (once per invocation). */
  flush(): void;
}

/** Counters on Powertools Metrics; a flush with nothing counted publishes nothing (and warns of nothing). */
export class PowertoolsCounters implements Counters {
  readonly #metrics: Metrics;
  #pending = false;

  public constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  public count(name: MetricName, value = 1): void {
    if (value <= 0) return;
    this.#metrics.addMetric(name, MetricUnit.Count, value);
    this.#pending = true;
  }

  public flush(): void {
    if (!this.#pending) return;
    this.#pending = false;
    this.#metrics.publishStoredMetrics();
  }
}

/** What an error says in a log entry: its name, message and typed context, never its cause's payload. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: typeof error };
  const context = (error as { context?: unknown }).context;
  return {
    error: error.name,
    message: error.message,
    ...(typeof context === 'object' && context !== null && { context }),
  };
}
