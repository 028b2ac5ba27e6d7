/** Texts for people held to a bound: cut with `…`, or a list named in part with how many more. */

/** A text cut to `max` characters, the last of them `…` when it was longer. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export interface JoinFirstOptions {
  /** Items named; the rest are counted. */
  readonly shown: number;
  /** @default ', ' */
  readonly separator?: string;
  /** When given, the count is one more item of the list: `a; b; and 3 more rules`. @default none: `a, b and 3 more` */
  readonly noun?: string;
  /** How many items there are, when only the first ones were made into text. @default items.length */
  readonly total?: number;
}

/** The first `shown` items joined, then how many were left out: `a, b and 3 more`. */
export function joinFirst(items: readonly string[], options: JoinFirstOptions): string {
  const { shown, separator = ', ', noun, total = items.length } = options;
  const head = items.slice(0, shown).join(separator);
  const rest = total - Math.min(shown, items.length);
  if (rest <= 0) return head;
  return noun === undefined ? `${head} and ${rest} more` : `${head}${separator}and ${rest} more ${noun}`;
}
