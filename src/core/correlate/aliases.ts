import type { IndexedEvent } from '../model.js';

/**
 * The keys, then every other member of the events' alias groups that contain one of them. One hop
 * only: following groups transitively could walk from a route table to an association to another
 * route table that once held it.
 */
export function expandAliases(keys: readonly string[], events: readonly IndexedEvent[]): string[] {
  const known = new Set(keys);
  const seen = new Set(keys);
  const out = [...seen];
  for (const event of events) {
    for (const group of event.aliases) {
      if (!group.some((member) => known.has(member))) continue;
      for (const member of group) {
        if (seen.has(member)) continue;
        seen.add(member);
        out.push(member);
      }
    }
  }
  return out;
}
