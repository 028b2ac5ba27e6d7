import { changeKeyList, correlate, expandAliases, isStrongKey } from '../core/correlate.js';
import type { Attribution, ConfigChange, IndexedEvent } from '../core/model.js';
import type { EventIndex } from './port.js';

export interface AttributeOptions {
  /** How long before the capture time a call may have happened. */
  readonly windowMs: number;
  /**
   * How far back to look for the calls that tie one identifier to another (an AssociateRouteTable
   * that ties an association id to its route table usually happened long before the
   * disassociation). Defaults to the window. The change's own configuration item usually names the
   * association ids too, so this is for changes without one (oversized notifications).
   */
  readonly aliasLookbackMs?: number;
}

function merge(into: Map<string, IndexedEvent>, events: readonly IndexedEvent[]): void {
  for (const event of events) if (!into.has(event.eventId)) into.set(event.eventId, event);
}

/**
 * Attributes one change from the event index: the events that carry its keys in the window, then,
 * if those events tie its identifiers to others (a CreateRole ties the role id to its name), the
 * events that carry only those.
 */
export async function attributeChange(
  change: ConfigChange,
  index: EventIndex,
  options: AttributeOptions,
): Promise<Attribution> {
  const keyList = changeKeyList(change);
  const keys = keyList.map((k) => k.value);
  const toMs = change.captureTimeMs;
  const fromMs = toMs - options.windowMs;
  const lookbackFrom = toMs - Math.max(options.windowMs, options.aliasLookbackMs ?? 0);
  const found = new Map<string, IndexedEvent>();
  merge(found, await index.query({ accountId: change.accountId, keys, fromMs: lookbackFrom, toMs }));

  const strong = keyList.filter(isStrongKey).map((k) => k.value);
  const known = new Set(keys);
  const extra = expandAliases(strong, [...found.values()]).filter((k) => !known.has(k));
  if (extra.length > 0) {
    merge(found, await index.query({ accountId: change.accountId, keys: extra, fromMs, toMs }));
  }
  return correlate(change, [...found.values()], { windowMs: options.windowMs });
}
