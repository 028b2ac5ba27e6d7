import type { IndexedEvent } from '../core/model.js';

/** A lookup of events that refer to any of `keys` in one account, with eventTimeMs in [fromMs, toMs]. */
export interface EventQuery {
  readonly accountId: string;
  readonly keys: readonly string[];
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The event index: successful write events stored by every identifier they carry. Adapters: memory
 * (replay), SQLite (`cloudblame who`), DynamoDB (the AWS deployment).
 */
export interface EventIndex {
  put(events: readonly IndexedEvent[]): Promise<void>;
  /** Each matching event once, whatever number of keys it matched, oldest first. */
  query(query: EventQuery): Promise<IndexedEvent[]>;
}
