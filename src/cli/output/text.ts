import { clip } from '../../core/clip.js';
import { plainText } from '../../core/render/escape.js';

/**
 * Event strings are attacker-controlled: no escape sequence, bidi override or newline reaches the terminal,
 * and a pathological value (a 10 KB name) is capped before it is laid out.
 */
export function terminalText(text: string, max: number): string {
  return clip(plainText(text, { singleLine: true }), max);
}

/**
 * Word-wraps to `width`, cutting a word only when it is longer than a whole line: an id or ARN split in
 * two cannot be copied from the terminal, so a short line is the lesser evil.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > 0 ? cut : width;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '') lines.push(rest);
  return lines;
}

export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
