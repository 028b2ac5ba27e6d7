/**
 * ConfigChange + candidate events → Attribution. Pure: the candidates come from the event index,
 * and time is the change's capture time.
 */

import { type CorrelateOptions, type RankedCandidate, rankCandidates } from './correlate/rank.js';
import { unattributedReason } from './correlate/reasons.js';
import type { Attribution, ConfigChange, IndexedEvent } from './model.js';

export { expandAliases } from './correlate/aliases.js';
export {
  HEURISTICS,
  type Heuristic,
  type HeuristicContext,
  type Outcome,
  WEIGHTS,
} from './correlate/heuristics.js';
export {
  type ChangeKey,
  type ChangeKeyKind,
  changeKeyList,
  changeKeys,
  isStrongKey,
} from './correlate/keys.js';
export {
  type CorrelateOptions,
  type RankedCandidate,
  type Ranking,
  rankCandidates,
} from './correlate/rank.js';

/** Config usually captures a change within minutes of the call that made it. */
export const DEFAULT_WINDOW_MS = 15 * 60 * 1000;

function attributed(
  primary: RankedCandidate,
  others: readonly RankedCandidate[],
  via: 'index' | 'related-event',
): Attribution {
  return {
    status: 'attributed',
    event: primary.event,
    others: others.filter((o) => o !== primary).map((o) => o.event),
    matchedOn: primary.matchedOn,
    via,
    // Config's own word (a related event) needs no caveat.
    ...(via !== 'related-event' && primary.caveats.length > 0 && { caveats: primary.caveats }),
  };
}

/**
 * The event that most likely made the change, and the others that touched the resource in the
 * window. An event Config listed in `relatedEvents` wins outright. Candidates excluded softly (a
 * delete for a CREATE, a same-named resource of another type) are used only when nothing else is.
 */
export function correlate(
  change: ConfigChange,
  candidates: readonly IndexedEvent[],
  options: CorrelateOptions,
): Attribution {
  const { keys, fromMs, toMs, ranked, tally } = rankCandidates(change, candidates, options);
  const related = ranked.filter((r) => r.related);
  const included = ranked.filter((r) => r.exclusion === 'none');
  const primaryRelated = related[0];
  if (primaryRelated !== undefined) {
    const others = ranked.filter((r) => r.related || r.exclusion === 'none');
    return attributed(primaryRelated, others, 'related-event');
  }
  const pool = included.length > 0 ? included : ranked.filter((r) => r.exclusion === 'soft');
  const primary = pool[0];
  if (primary !== undefined) return attributed(primary, pool, 'index');
  return {
    status: 'unattributed',
    reason: unattributedReason(keys, { fromMs, toMs, windowMs: options.windowMs }, tally),
  };
}
