function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known key a typo most likely meant, ignoring case: at most one edit per three letters
 * (a missing plural `s` is one). Undefined when nothing is close.
 */
export function closestKey(typed: string, known: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(lower, key.toLowerCase());
    if (distance > Math.max(1, Math.floor(key.length / 3))) continue;
    if (best === undefined || distance < best.distance) best = { key, distance };
  }
  return best?.key;
}
