/**
 * A 53-bit FNV-1a style hash of a string (exact in a JavaScript number): the index keeps event ids,
 * identifiers and caller keys as these integers, which are smaller and quicker to index than the texts.
 */
export function hash53(text: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
