/** The human text of an unattributed change: what the index saw, in words a person can act on. */
import type { ChangeKey } from './keys.js';
import type { Tally } from './rank.js';

const SHOWN_KEYS = 4;

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/** `sg-0abc (or web-sg, arn:...)`, the strongest keys first. */
export function describeKeys(keys: readonly ChangeKey[]): string {
  const values = keys.filter((k) => k.kind !== 'alias').map((k) => k.value);
  const [first, ...rest] = values;
  if (first === undefined) return 'this resource';
  if (rest.length === 0) return first;
  const shown = rest.slice(0, SHOWN_KEYS - 1).join(', ');
  return `${first} (or ${shown}${rest.length > SHOWN_KEYS - 1 ? ', ...' : ''})`;
}

export function describeWindow(windowMs: number): string {
  if (windowMs % 60_000 === 0) return `${windowMs / 60_000}-minute window`;
  return `${Math.round(windowMs / 1000)}-second window`;
}

function events(n: number): string {
  return n === 1 ? '1 event' : `${n} events`;
}

function list(counts: ReadonlyMap<string, number>): string {
  return [...counts.keys()].join(', ');
}

export function unattributedReason(
  keys: readonly ChangeKey[],
  window: { readonly fromMs: number; readonly toMs: number; readonly windowMs: number },
  tally: Tally,
): string {
  const base = `no write event in the index refers to ${describeKeys(keys)} between ${iso(window.fromMs)} and ${iso(window.toMs)} (${describeWindow(window.windowMs)})`;
  const seen: string[] = [];
  if (tally.afterCapture > 0) {
    seen.push(`${events(tally.afterCapture)} referring to it came after the capture time`);
  }
  if (tally.beforeWindow > 0 && tally.latestBeforeWindowMs !== undefined) {
    seen.push(
      `${events(tally.beforeWindow)} referring to it came before the window, the latest at ${iso(tally.latestBeforeWindowMs)}`,
    );
  }
  const otherAccounts = [...tally.otherAccounts.values()].reduce((a, b) => a + b, 0);
  if (otherAccounts > 0) {
    seen.push(
      `${events(otherAccounts)} referring to it ${otherAccounts === 1 ? 'was' : 'were'} in other accounts (${list(tally.otherAccounts)})`,
    );
  }
  const collisions = [...tally.collisions.values()].reduce((a, b) => a + b, 0);
  if (collisions > 0) {
    seen.push(
      `${events(collisions)} in the window with the same name ${collisions === 1 ? 'concerns' : 'concern'} another kind of resource (${list(tally.collisions)})`,
    );
  }
  return seen.length === 0 ? base : `${base}; ${seen.join('; ')}`;
}
