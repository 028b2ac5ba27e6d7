import type { ConfigChange, IndexedEvent } from '../model.js';
import { expandAliases } from './aliases.js';
import { type Exclusion, HEURISTICS, type HeuristicContext, type KeyMatch } from './heuristics.js';
import { type ChangeKey, changeKeyList, isStrongKey } from './keys.js';

export interface CorrelateOptions {
  /** How long before the capture time a call may have happened. */
  readonly windowMs: number;
}

export interface RankedCandidate {
  readonly event: IndexedEvent;
  readonly score: number;
  readonly exclusion: Exclusion | 'none';
  /** Config listed the event in the change's relatedEvents. */
  readonly related: boolean;
  /** `kind=value` for each change key the event carries, e.g. `resourceId=sg-0abc`. */
  readonly matchedOn: readonly string[];
  /** The heuristics' labels with their contributions, e.g. `creates the resource (+40)`. */
  readonly reasons: readonly string[];
  /** Why the candidate is excluded softly (`call in us-west-2`); empty unless `exclusion` is `soft`. */
  readonly caveats: readonly string[];
}

/** What happened to the candidates that were not ranked, for the unattributed reason. */
export interface Tally {
  readonly otherAccounts: Map<string, number>;
  afterCapture: number;
  beforeWindow: number;
  latestBeforeWindowMs: number | undefined;
  readonly collisions: Map<string, number>;
}

export interface Ranking {
  readonly keys: readonly ChangeKey[];
  readonly fromMs: number;
  readonly toMs: number;
  /** Best first; hard-excluded candidates are left out (they are counted in `tally.collisions`). */
  readonly ranked: readonly RankedCandidate[];
  readonly tally: Tally;
}

/** The change's keys plus, as `alias`, what the candidates' alias groups add to its strong keys. */
function keysWithAliases(change: ConfigChange, events: readonly IndexedEvent[]): ChangeKey[] {
  const keys = changeKeyList(change);
  const strong = keys.filter(isStrongKey).map((k) => k.value);
  const known = new Set(keys.map((k) => k.value));
  for (const value of expandAliases(strong, events)) {
    if (!known.has(value)) keys.push({ value, kind: 'alias' });
  }
  return keys;
}

function matchesOf(event: IndexedEvent, byValue: ReadonlyMap<string, ChangeKey>): KeyMatch[] {
  const matches: KeyMatch[] = [];
  for (const identifier of event.identifiers) {
    const key = byValue.get(identifier.value);
    if (key !== undefined) matches.push({ key, identifier });
  }
  return matches;
}

interface Scored {
  readonly score: number;
  readonly exclusion: Exclusion | 'none';
  readonly reasons: string[];
  readonly caveats: string[];
}

function score(ctx: HeuristicContext): Scored {
  let total = 0;
  let exclusion: Exclusion | 'none' = 'none';
  const reasons: string[] = [];
  const caveats: string[] = [];
  for (const heuristic of HEURISTICS) {
    const outcome = heuristic(ctx);
    total += outcome.score;
    if (outcome.exclude === 'soft') caveats.push(outcome.reason);
    if (outcome.exclude === 'hard' || (outcome.exclude === 'soft' && exclusion === 'none')) {
      exclusion = outcome.exclude;
    }
    if (outcome.score !== 0 || outcome.exclude !== undefined) {
      reasons.push(`${outcome.reason} (${outcome.score >= 0 ? '+' : ''}${outcome.score})`);
    }
  }
  return { score: total, exclusion, reasons, caveats: exclusion === 'soft' ? caveats : [] };
}

const EXCLUSION_ORDER = { none: 0, soft: 1, hard: 2 } as const;

/** The event's best reading: the match that scores highest, hard exclusions last. */
function bestScore(base: Omit<HeuristicContext, 'match'>, matches: readonly KeyMatch[]): Scored {
  if (matches.length === 0) return score({ ...base, match: undefined });
  let best: Scored | undefined;
  for (const match of matches) {
    const s = score({ ...base, match });
    if (
      best === undefined ||
      EXCLUSION_ORDER[s.exclusion] < EXCLUSION_ORDER[best.exclusion] ||
      (s.exclusion === best.exclusion && s.score > best.score)
    ) {
      best = s;
    }
  }
  return best!;
}

function byScore(a: RankedCandidate, b: RankedCandidate): number {
  return (
    b.score - a.score ||
    b.event.eventTimeMs - a.event.eventTimeMs ||
    (a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0)
  );
}

/**
 * Filters the candidates (same account, inside the window, carrying one of the change's keys) and
 * scores each with the heuristics. Events Config related to the change pass every filter but the
 * account.
 */
export function rankCandidates(
  change: ConfigChange,
  candidates: readonly IndexedEvent[],
  options: CorrelateOptions,
): Ranking {
  const fromMs = change.captureTimeMs - options.windowMs;
  const toMs = change.captureTimeMs;
  const tally: Tally = {
    otherAccounts: new Map(),
    afterCapture: 0,
    beforeWindow: 0,
    latestBeforeWindowMs: undefined,
    collisions: new Map(),
  };
  const sameAccount = candidates.filter((e) => e.accountId === change.accountId);
  const keys = keysWithAliases(change, sameAccount);
  const byValue = new Map(keys.map((k) => [k.value, k]));
  const order = new Map(keys.map((k, i) => [k.value, i]));
  const baseKeys = new Map(changeKeyList(change).map((k) => [k.value, k]));
  const related = new Set(change.relatedEvents);
  const seen = new Set<string>();
  const ranked: RankedCandidate[] = [];

  for (const event of candidates) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    if (event.accountId !== change.accountId) {
      if (matchesOf(event, baseKeys).length > 0) {
        tally.otherAccounts.set(event.accountId, (tally.otherAccounts.get(event.accountId) ?? 0) + 1);
      }
      continue;
    }
    const isRelated = related.has(event.eventId);
    const matches = matchesOf(event, byValue);
    if (!isRelated) {
      if (matches.length === 0) continue;
      if (event.eventTimeMs > toMs) {
        tally.afterCapture++;
        continue;
      }
      if (event.eventTimeMs < fromMs) {
        tally.beforeWindow++;
        tally.latestBeforeWindowMs = Math.max(
          tally.latestBeforeWindowMs ?? event.eventTimeMs,
          event.eventTimeMs,
        );
        continue;
      }
    }
    const scored = bestScore({ change, event, windowMs: options.windowMs }, matches);
    if (scored.exclusion === 'hard' && !isRelated) {
      const type =
        matches.find((m) => m.identifier.resourceType !== undefined)?.identifier.resourceType ?? '?';
      tally.collisions.set(type, (tally.collisions.get(type) ?? 0) + 1);
      continue;
    }
    const strongestFirst = [...matches].sort(
      (a, b) => (order.get(a.key.value) ?? 0) - (order.get(b.key.value) ?? 0),
    );
    const matchedOn = [...new Set(strongestFirst.map((m) => `${m.key.kind}=${m.key.value}`))];
    if (isRelated) matchedOn.push(`relatedEvent=${event.eventId}`);
    ranked.push({ event, related: isRelated, matchedOn, ...scored });
  }
  ranked.sort(byScore);
  return { keys, fromMs, toMs, ranked, tally };
}
