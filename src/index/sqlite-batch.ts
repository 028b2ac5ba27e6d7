/**
 * Rows of numbers held until the commit and then written many to a statement: one call into SQLite for
 * 32 rows costs less than one per row (measured on key rows: about half).
 */
import type Database from 'better-sqlite3';

/** Rows per multi-row INSERT. */
export const ROWS_PER_STATEMENT = 32;

export class BatchedInsert {
  /** The rows held, flattened: `columns.length` values each. Push whole rows only. */
  public readonly values: number[] = [];
  readonly #width: number;
  readonly #one: Database.Statement<number[]>;
  readonly #many: Database.Statement<number[]>;

  /** @param table and its `columns`: trusted names, written into the statements as they are */
  public constructor(db: Database.Database, table: string, columns: readonly string[]) {
    this.#width = columns.length;
    const row = `(${columns.map(() => '?').join(', ')})`;
    const insert = `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES`;
    this.#one = db.prepare(`${insert} ${row}`);
    this.#many = db.prepare(`${insert} ${Array(ROWS_PER_STATEMENT).fill(row).join(', ')}`);
  }

  /** Rows held. */
  public get length(): number {
    return this.values.length / this.#width;
  }

  /** Writes the rows held (inside the caller's transaction) and forgets them. */
  public flush(): void {
    const values = this.values;
    const width = this.#width;
    const chunk = ROWS_PER_STATEMENT * width;
    let at = 0;
    for (; at + chunk <= values.length; at += chunk) this.#many.run(...values.slice(at, at + chunk));
    for (; at < values.length; at += width) this.#one.run(...values.slice(at, at + width));
    values.length = 0;
  }

  /** Forgets the rows held (their transaction was rolled back). */
  public discard(): void {
    this.values.length = 0;
  }
}
