import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchedInsert, ROWS_PER_STATEMENT } from '../../src/index/sqlite-batch.js';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.exec('CREATE TABLE t (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID');
});
afterEach(() => db.close());

function add(batch: BatchedInsert, a: number, b: number): void {
  const at = batch.reserve();
  const values = batch.buffer;
  values[at] = a;
  values[at + 1] = b;
}

const rows = () => db.prepare('SELECT a, b FROM t ORDER BY a, b').raw().all() as [number, number][];

describe('BatchedInsert', () => {
  it('writes every row held, full statements and the rest, as integers', () => {
    const batch = new BatchedInsert(db, 't', ['a', 'b']);
    const n = ROWS_PER_STATEMENT * 3 + 5;
    for (let i = 0; i < n; i++) add(batch, i, 1_794_964_896_000 + i);
    expect(batch.length).toBe(n);
    batch.flush();
    expect(batch.length).toBe(0);
    expect(rows()).toHaveLength(n);
    expect(rows()[n - 1]).toEqual([n - 1, 1_794_964_896_000 + n - 1]);
    expect(db.prepare('SELECT DISTINCT typeof(a), typeof(b) FROM t').raw().all()).toEqual([
      ['integer', 'integer'],
    ]);
  });

  it('grows past its first buffer without losing rows, 53-bit values exact', () => {
    const batch = new BatchedInsert(db, 't', ['a', 'b']);
    const big = 2 ** 53 - 1;
    for (let i = 0; i < 10_000; i++) add(batch, i, big - i);
    batch.flush();
    const all = rows();
    expect(all).toHaveLength(10_000);
    expect(all[0]).toEqual([0, big]);
    expect(all[9_999]).toEqual([9_999, big - 9_999]);
  });

  it('ignores a row already in the table', () => {
    const batch = new BatchedInsert(db, 't', ['a', 'b']);
    add(batch, 1, 2);
    add(batch, 1, 2);
    batch.flush();
    expect(rows()).toEqual([[1, 2]]);
  });

  it('forgets the rows held when discarded', () => {
    const batch = new BatchedInsert(db, 't', ['a', 'b']);
    add(batch, 1, 2);
    batch.discard();
    expect(batch.length).toBe(0);
    batch.flush();
    expect(rows()).toEqual([]);
  });
});
