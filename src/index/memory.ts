import type { IndexedEvent } from '../core/model.js';
import type { EventIndex, EventQuery } from './port.js';

/** The strings an event can be found by: its identifiers and the members of its alias groups. */
export function indexKeysOf(event: IndexedEvent): Set<string> {
  const keys = new Set<string>();
  for (const id of event.identifiers) keys.add(id.value);
  for (const group of event.aliases) for (const member of group) keys.add(member);
  return keys;
}

/** First position in a time-ordered list whose event is at or after `ms`. */
function lowerBound(list: readonly IndexedEvent[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.eventTimeMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function byTimeThenId(a: IndexedEvent, b: IndexedEvent): number {
  return a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/**
 * The event index in memory, for replays and tests. Each event object is stored once; the
 * per-account key lists hold references to it, kept in time order so a query reads only its window.
 */
export class MemoryEventIndex implements EventIndex {
  private readonly events = new Map<string, IndexedEvent>();
  /** accountId → key → events carrying the key, oldest first. */
  private readonly byAccount = new Map<string, Map<string, IndexedEvent[]>>();

  /** Number of distinct events stored. */
  public get size(): number {
    return this.events.size;
  }

  public async put(events: readonly IndexedEvent[]): Promise<void> {
    for (const event of events) this.add(event);
  }

  public async query(query: EventQuery): Promise<IndexedEvent[]> {
    const keys = this.byAccount.get(query.accountId);
    if (keys === undefined || query.fromMs > query.toMs) return [];
    const found = new Map<string, IndexedEvent>();
    for (const key of query.keys) {
      const list = keys.get(key);
      if (list === undefined) continue;
      for (let i = lowerBound(list, query.fromMs); i < list.length; i++) {
        const event = list[i]!;
        if (event.eventTimeMs > query.toMs) break;
        found.set(event.eventId, event);
      }
    }
    return [...found.values()].sort(byTimeThenId);
  }

  /** CloudTrail can deliver an event twice; the second copy is ignored. */
  private add(event: IndexedEvent): void {
    if (this.events.has(event.eventId)) return;
    const keys = indexKeysOf(event);
    // An event with no identifier can never be found, so it is not worth its memory.
    if (keys.size === 0) return;
    this.events.set(event.eventId, event);
    let byKey = this.byAccount.get(event.accountId);
    if (byKey === undefined) {
      byKey = new Map();
      this.byAccount.set(event.accountId, byKey);
    }
    for (const key of keys) {
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [event]);
      else insertInOrder(list, event);
    }
  }
}

/** Appends in the usual case (events arrive roughly in time order), inserts in place otherwise. */
function insertInOrder(list: IndexedEvent[], event: IndexedEvent): void {
  const last = list[list.length - 1];
  if (last === undefined || byTimeThenId(last, event) <= 0) {
    list.push(event);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byTimeThenId(list[mid]!, event) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, event);
}
