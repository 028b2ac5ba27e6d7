/**
 * A bounded cache keyed by a fixed-length sequence of values, kept as nested maps: a hot path that looks
 * up the same few callers millions of times then never builds (and hashes) a long key string. Values are
 * compared as `Map` keys compare them (`SameValueZero`), so `'7'` and `7` stay apart.
 */
export class TupleCache<V> {
  #root = new Map<unknown, unknown>();
  #size = 0;

  /**
   * @param length how many values make a key; every key given must have exactly this many
   * @param max entries kept; when full, the cache starts again empty (a long run over ever new callers
   *   does not grow without limit)
   */
  public constructor(
    private readonly length: number,
    private readonly max: number,
  ) {
    if (!Number.isInteger(length) || length < 1)
      throw new RangeError(`TupleCache length must be a whole number of at least 1, but ${length} was given`);
  }

  public get size(): number {
    return this.#size;
  }

  public get(key: readonly unknown[]): V | undefined {
    this.#check(key);
    let node: unknown = this.#root;
    for (const part of key) {
      node = (node as Map<unknown, unknown>).get(part);
      if (node === undefined) return undefined;
    }
    return node as V;
  }

  public set(key: readonly unknown[], value: V): void {
    this.#check(key);
    // Replacing the value of a key held already needs no room.
    if (this.#size >= this.max && this.get(key) === undefined) this.clear();
    let node = this.#root;
    const last = key.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(key[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(key[i], next);
      }
      node = next;
    }
    if (!node.has(key[last])) this.#size += 1;
    node.set(key[last], value);
  }

  public clear(): void {
    this.#root = new Map();
    this.#size = 0;
  }

  #check(key: readonly unknown[]): void {
    if (key.length !== this.length)
      throw new RangeError(`TupleCache key must have ${this.length} values, but ${key.length} were given`);
  }
}
