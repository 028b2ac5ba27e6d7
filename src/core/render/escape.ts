/**
 * Escaping for each target. Every string that came from AWS (resource names, tags, session names,
 * user agents, even resource ids in a forged file) is attacker-controlled: it must not mention
 * `@channel`, inject a link or formatting, or break out of the payload.
 */

const ESC = 0x1b;
const BEL = 0x07;
const CSI_C1 = 0x9b;

/** Invisible characters that reorder text (Trojan Source): a name could display as something else. */
const BIDI = new Set([
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
]);
const LINE_BREAKS = new Set([0x0a, 0x0d, 0x2028, 0x2029, 0x85]);

/** Placed after `@` so that `@here` reads the same but is no mention. */
const WORD_JOINER = '\u2060';

export interface PlainTextOptions {
  /** Turn line breaks and tabs into spaces: for a value that must stay on its line. */
  readonly singleLine?: boolean;
}

/** Length of the ANSI escape sequence starting at `i` (an ESC or a C1 CSI), so it goes whole. */
function ansiLength(text: string, i: number): number {
  const first = text.charCodeAt(i);
  let j = i + 1;
  if (first === CSI_C1 || (first === ESC && text[j] === '[')) {
    if (first === ESC) j++;
    // Parameters and intermediates (0x20-0x3f), then one final byte (0x40-0x7e).
    while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x3f) j++;
    return j < text.length && text.charCodeAt(j) >= 0x40 && text.charCodeAt(j) <= 0x7e ? j + 1 - i : j - i;
  }
  if (first === ESC && text[j] === ']') {
    // OSC (e.g. terminal hyperlinks): runs to BEL or ESC \.
    j++;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === BEL) return j + 1 - i;
      if (c === ESC && text[j + 1] === '\\') return j + 2 - i;
      j++;
    }
    return j - i;
  }
  return first === ESC && j < text.length ? 2 : 1;
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || BIDI.has(code);
}

/**
 * Plain text safe for a terminal, an email or a JSON consumer that shows it: no ANSI escapes, no
 * control characters, no bidi overrides. Newlines and tabs survive unless `singleLine`.
 */
export function plainText(text: string, options: PlainTextOptions = {}): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code === ESC || code === CSI_C1) {
      i += ansiLength(text, i);
      continue;
    }
    if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
      i++;
      continue;
    }
    if (LINE_BREAKS.has(code)) out += options.singleLine ? ' ' : '\n';
    else if (code === 0x09) out += options.singleLine ? ' ' : '\t';
    else if (!isControl(code)) out += text[i];
    i++;
  }
  return out;
}

/** `@channel`, `@here`, `@everyone` (any case) made inert with an invisible word joiner. */
export function neutraliseMentions(text: string): string {
  return text.replace(/@(channel|here|everyone)/gi, `@${WORD_JOINER}$1`);
}

function slackEntities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Slack mrkdwn has no escape for `*_~` and backticks, so they become look-alikes (∗ ˍ ∼ ˋ); `&<>`
 * become entities, which also defeats `<!channel>` and `<https://evil|click>`. An underscore inside a
 * word (`AWSReservedSSO_Admin`) cannot open or close italics, so it stays. For free text; put
 * identifiers that must copy exactly in `slackCode` instead.
 */
export function escapeSlack(text: string, options: PlainTextOptions = {}): string {
  const escaped = neutraliseMentions(slackEntities(plainText(text, options)))
    .replace(/\*/g, '\u2217')
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\u02cd')
    .replace(/~/g, '\u223c')
    .replace(/`/g, '\u02cb');
  // A line starting with `&gt;` would still become a block quote.
  return escaped.replace(/(^|\n)&gt;/g, '$1\u200b&gt;');
}

/**
 * An identifier as Slack inline code: formatting is off inside it, so `*_~` copy exactly; only the
 * backtick (which would close the span) becomes a look-alike.
 */
export function slackCode(text: string): string {
  const inner = neutraliseMentions(slackEntities(plainText(text, { singleLine: true }))).replace(
    /`/g,
    '\u02cb',
  );
  return inner.trim() === '' ? '`-`' : `\`${inner}\``;
}

/** Slack plain_text objects (headers): entities and mentions only, no markup to break. */
export function escapeSlackPlain(text: string): string {
  return neutraliseMentions(slackEntities(plainText(text, { singleLine: true })));
}

/**
 * Teams Adaptive Card markdown (TextBlock, FactSet values). Teams' mobile clients have shown escaping
 * backslashes literally, so only what could inject is escaped: `[` `]` (links; without them `(` `)`
 * are inert), `*` and, at a word edge, `_` (emphasis), `<` `>` (Teams `<at>` mentions, HTML on iOS),
 * backticks, `~`, the backslash itself, `#` and list markers that start a line, and `{{DATE()}}`.
 */
export function escapeTeams(text: string, options: PlainTextOptions = {}): string {
  return neutraliseMentions(plainText(text, options))
    .replace(/[\\`*[\]<>~]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\$&')
    .replace(/\{\{/g, `{${WORD_JOINER}{`)
    .replace(/(^|\n)(\s*)(#|[-+]|\d+\.)(?=\s|$|#)/g, (_m, start: string, space: string, marker: string) =>
      marker.endsWith('.') ? `${start}${space}${marker.slice(0, -1)}\\.` : `${start}${space}\\${marker}`,
    );
}

/** Suffix of a shortened text, so that the reader knows something is missing. */
export function truncationNote(dropped: number): string {
  return `… (truncated, ${dropped} more characters)`;
}

function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return at > 0 && code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

/**
 * At most `max` UTF-16 units. A shortened text ends with `… (truncated, N more characters)`; when
 * `max` cannot even hold that note, the text is cut hard.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let keep = max;
  for (let round = 0; round < 3; round++) keep = max - truncationNote(text.length - keep).length;
  if (keep <= 0) return text.slice(0, safeCut(text, max));
  const cut = safeCut(text, keep);
  return text.slice(0, cut) + truncationNote(text.length - cut);
}

/**
 * `truncate` for text that is already escaped: never cuts inside an `&amp;`-style entity or right
 * after an escaping backslash, and closes a code span left open by the cut.
 */
export function truncateEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  // Room for the longest possible note and a closing backtick.
  const keep = max - truncationNote(text.length).length - 1;
  if (keep <= 0) return truncate(text, max);
  let head = text.slice(0, safeCut(text, keep));
  const entity = /&[a-z#0-9]{0,6}$/i.exec(head);
  if (entity) head = head.slice(0, entity.index);
  if (/(^|[^\\])(\\\\)*\\$/.test(head)) head = head.slice(0, -1);
  const dropped = text.length - head.length;
  if ((head.match(/(?<!\\)`/g) ?? []).length % 2 === 1) head += '`';
  return head + truncationNote(dropped);
}
