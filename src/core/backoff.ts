/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the wait
 * before retry `attempt` (1-based: the first retry follows the first failure) is a random time in
 * [0, min(capMs, baseMs * 2^(attempt-1))). The exponent stops growing long before the cap would not hold.
 */
export function fullJitterMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 52));
  return Math.floor(random() * ceiling);
}
