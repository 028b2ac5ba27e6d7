/**
 * A seeded pseudo-random generator (sfc32, seeded through splitmix32), so that every run of the generator and of
 * the simulation with the same seed produces the same bytes and the same figures.
 */

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const HEX = '0123456789abcdef';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  public constructor(seed: number) {
    const next = splitmix32(seed);
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** An independent stream derived from this one and a label (so adding draws in one place moves no other). */
  public fork(label: string): Rng {
    let h = this.uint32();
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(h);
  }

  public uint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  public next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  public between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  public chance(p: number): boolean {
    return this.next() < p;
  }

  public pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  public weighted<T>(table: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of table) total += w;
    let x = this.next() * total;
    for (const [w, value] of table) {
      x -= w;
      if (x < 0) return value;
    }
    const last = table[table.length - 1];
    if (last === undefined) throw new RangeError('weighted pick from an empty table');
    return last[1];
  }

  /** Standard normal (Box-Muller). */
  public normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and sigma (of the underlying normal). */
  public logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  public hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[this.uint32() & 15];
    return s;
  }

  /** Upper-case base32-like characters, as IAM unique ids and RDS resource ids use. */
  public upper(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += UPPER_ALNUM[this.uint32() & 31];
    return s;
  }

  public alnum(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ALNUM[this.int(ALNUM.length)];
    return s;
  }

  public uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + (this.uint32() & 3)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}
