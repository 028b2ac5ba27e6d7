/**
 * Globs for ARNs, user agents and resource types. Only `*` is special and it matches any run of
 * characters, `/` and `:` included, because ARN segments are what people want to wildcard. Everything
 * else is literal, so `?`, `.`, `[` and `+` in a user agent need no escaping. Matching is case-sensitive
 * and anchored at both ends.
 */

const cache = new Map<string, RegExp>();
// Globs come from one config file: a bound keeps a long-running process from growing on odd input.
const maxCached = 1_000;

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

export function globToRegExp(glob: string): RegExp {
  const cached = cache.get(glob);
  if (cached !== undefined) return cached;
  const source = glob.split('*').map(escapeRegExp).join('.*');
  const regExp = new RegExp(`^${source}$`, 's');
  if (cache.size >= maxCached) cache.clear();
  cache.set(glob, regExp);
  return regExp;
}

export function matchesGlob(value: string, glob: string): boolean {
  return globToRegExp(glob).test(value);
}

/** The first glob that matches, so a reason can name it. */
export function firstMatchingGlob(value: string, globs: readonly string[]): string | undefined {
  return globs.find((glob) => matchesGlob(value, glob));
}
