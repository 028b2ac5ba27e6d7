import type { Severity } from '../core/model.js';

/**
 * The delivery port. A sink sends one already-rendered payload; retries, idempotency and reporting are
 * done around it by `deliverAll`, so a sink makes exactly one attempt per call.
 */

export type SinkKind = 'slack' | 'teams' | 'webhook' | 'sns' | 'file';

/** Facts about the message that are not its content: SNS sends them as message attributes. */
export interface PayloadMeta {
  /** The highest severity among the findings in the message. */
  readonly severity?: Severity;
  /** What the message is about, e.g. `change`, `alert` or `group`. */
  readonly kind?: string;
  /** How many findings the message carries. */
  readonly count?: number;
}

/**
 * A JSON document: what the Slack, Teams and generic webhook renderers produce. HTTP sinks POST it, the
 * file sink writes it as one line, SNS publishes it serialised (with `subject` as the Subject).
 */
export interface JsonPayload {
  readonly type: 'json';
  readonly json: unknown;
  readonly subject?: string;
  readonly meta?: PayloadMeta;
}

/**
 * A subject and a plain-text body: what the email renderer produces, for SNS. `protocols` optionally
 * gives a different message per SNS protocol (`email`, `sqs`, `lambda`, `https`, ...); `text` is then
 * the default for the others (SNS `MessageStructure: json`). The file sink writes `{subject, text}`.
 */
export interface TextPayload {
  readonly type: 'text';
  readonly subject: string;
  readonly text: string;
  readonly protocols?: Readonly<Record<string, string>>;
  readonly meta?: PayloadMeta;
}

export type SinkPayload = JsonPayload | TextPayload;

export interface Sink {
  /** Unique among the configured sinks; also the channel part of the idempotency key. Not a secret. */
  readonly name: string;
  readonly kind: SinkKind;
  /**
   * One attempt. Resolves once the receiver has accepted the payload; rejects with a `DeliveryError`
   * whose context says whether another attempt may succeed. `key` is the delivery's idempotency key,
   * passed on to receivers that can deduplicate (webhook header, SNS FIFO deduplication id).
   */
  deliver(payload: SinkPayload, key: string): Promise<void>;
}
