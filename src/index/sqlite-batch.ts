/**
 * Rows of numbers held until the commit and then written many to a statement: one call into SQLite for
 * 32 rows costs less than one per row (measured on key rows: about half).
 */
import type Database from 'better-sqlite3';

/** Rows per multi-row INSERT. */
export const ROWS_PER_STATEMENT = 32;

/** Rows a buffer starts with room for. */
const INITIAL_ROWS = 4096;

export class BatchedInsert {
  /**
   * The rows held, flattened (`columns.length` values each), in a typed array: a plain array would hold
   * each hash and time as a heap number, and a batch of them outlives young-generation collections.
   */
  #values: Float64Array;
  /** Values in use. */
  #used = 0;
  readonly #width: number;
  readonly #one: Database.Statement<number[]>;
  readonly #many: Database.Statement<number[]>;

  /** @param table and its `columns`: trusted names, written into the statements as they are */
  public constructor(db: Database.Database, table: string, columns: readonly string[]) {
    this.#width = columns.length;
    this.#values = new Float64Array(INITIAL_ROWS * this.#width);
    const row = `(${columns.map(() => '?').join(', ')})`;
    const insert = `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES`;
    this.#one = db.prepare(`${insert} ${row}`);
    this.#many = db.prepare(`${insert} ${Array(ROWS_PER_STATEMENT).fill(row).join(', ')}`);
  }

  /** Rows held. */
  public get length(): number {
    return this.#used / this.#width;
  }

  /**
   * Makes room for one more row and returns where its values go in `buffer` (read `buffer` after this
   * call: growing replaces it); the caller writes all `columns.length` of them.
   */
  public reserve(): number {
    if (this.#used + this.#width > this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    const at = this.#used;
    this.#used += this.#width;
    return at;
  }

  public get buffer(): Float64Array {
    return this.#values;
  }

  /** Writes the rows held (inside the caller's transaction) and forgets them. */
  public flush(): void {
    const values = this.#values;
    const used = this.#used;
    const width = this.#width;
    const chunk = ROWS_PER_STATEMENT * width;
    // One arguments array filled again for each statement: cheaper than spreading a new slice each time.
    const many = new Array<number>(chunk);
    const one = new Array<number>(width);
    let at = 0;
    for (; at + chunk <= used; at += chunk) {
      for (let i = 0; i < chunk; i++) many[i] = values[at + i]!;
      this.#many.run(...many);
    }
    for (; at < used; at += width) {
      for (let i = 0; i < width; i++) one[i] = values[at + i]!;
      this.#one.run(...one);
    }
    this.#used = 0;
  }

  /** Forgets the rows held (their transaction was rolled back). */
  public discard(): void {
    this.#used = 0;
  }
}
