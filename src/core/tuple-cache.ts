/**
 * A bounded cache keyed by a fixed-length sequence of values: a hot path that looks up the same few
 * callers millions of times then never builds (and hashes) a long key string. Entries are found by one
 * value of the key, the `lead` (the most telling one: an ARN, an access key id), and then compared
 * value by value, most recently used first: one hash of a short string and a few comparisons, where a
 * map per value would hash every value of every key it is asked about. Values are compared as `Map`
 * keys compare them (`SameValueZero`), so `'7'` and `7` stay apart.
 */

interface Entry<V> {
  readonly key: readonly unknown[];
  value: V;
}

/** Entries kept per lead value; past it the least recently used one goes. */
const MAX_PER_LEAD = 64;

function sameValueZero(a: unknown, b: unknown): boolean {
  // biome-ignore lint/suspicious/noSelfCompare: NaN is the one value not equal to itself.
  return a === b || (a !== a && b !== b);
}

export class TupleCache<V> {
  #byLead = new Map<unknown, Entry<V>[]>();
  #size = 0;

  /**
   * @param length how many values make a key; every key given must have exactly this many
   * @param max entries kept; when full, the cache starts again empty (a long run over ever new callers
   *   does not grow without limit)
   * @param lead the position of the value entries are found by @default 0
   */
  public constructor(
    private readonly length: number,
    private readonly max: number,
    private readonly lead = 0,
  ) {
    if (!Number.isInteger(length) || length < 1)
      throw new RangeError(`TupleCache length must be a whole number of at least 1, but ${length} was given`);
    if (!Number.isInteger(lead) || lead < 0 || lead >= length)
      throw new RangeError(
        `TupleCache lead must be a position of the key (0 to ${length - 1}), but ${lead} was given`,
      );
  }

  public get size(): number {
    return this.#size;
  }

  public get(key: readonly unknown[]): V | undefined {
    this.#check(key);
    return this.#entry(key)?.value;
  }

  public set(key: readonly unknown[], value: V): void {
    this.#check(key);
    const held = this.#entry(key);
    if (held !== undefined) {
      held.value = value;
      return;
    }
    if (this.#size >= this.max) this.clear();
    let entries = this.#byLead.get(key[this.lead]);
    if (entries === undefined) {
      entries = [];
      this.#byLead.set(key[this.lead], entries);
    }
    entries.unshift({ key: [...key], value });
    this.#size += 1;
    if (entries.length > MAX_PER_LEAD) {
      entries.pop();
      this.#size -= 1;
    }
  }

  public clear(): void {
    this.#byLead = new Map();
    this.#size = 0;
  }

  /** The entry of `key`, moved to the front of its lead's entries. */
  #entry(key: readonly unknown[]): Entry<V> | undefined {
    const entries = this.#byLead.get(key[this.lead]);
    if (entries === undefined) return undefined;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      let same = true;
      for (let n = 0; n < key.length && same; n++) same = sameValueZero(entry.key[n], key[n]);
      if (!same) continue;
      if (i > 0) {
        entries.splice(i, 1);
        entries.unshift(entry);
      }
      return entry;
    }
    return undefined;
  }

  #check(key: readonly unknown[]): void {
    if (key.length !== this.length)
      throw new RangeError(`TupleCache key must have ${this.length} values, but ${key.length} were given`);
  }
}
