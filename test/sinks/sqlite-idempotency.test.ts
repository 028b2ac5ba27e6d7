import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { NotifyStateError, SqliteIdempotencyStore } from '../../src/sinks/sqlite-idempotency.js';
import { storeContract } from './store-contract.js';

describe('SqliteIdempotencyStore', () => {
  const dirs: string[] = [];
  const stores: SqliteIdempotencyStore[] = [];
  const stateFile = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudblame-notified-'));
    dirs.push(dir);
    return join(dir, 'state', 'notified.db');
  };
  const open = (path: string, options = {}): SqliteIdempotencyStore => {
    const store = SqliteIdempotencyStore.open(path, options);
    stores.push(store);
    return store;
  };
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  storeContract(() => open(stateFile()));

  it('remembers what was delivered after it is closed and opened again', async () => {
    const path = stateFile();
    const first = SqliteIdempotencyStore.open(path);
    await first.claim('k');
    await first.complete('k');
    first.close();
    expect(await open(path).claim('k')).toBe('done');
  });

  it("sees another run's claim on the same file as in progress", async () => {
    const path = stateFile();
    expect(await open(path).claim('k')).toBe('claimed');
    expect(await open(path).claim('k')).toBe('in-progress');
  });

  it('lets a claim left by a killed run be taken over once it is stale', async () => {
    const path = stateFile();
    let now = 1_000;
    await open(path, { now: () => now }).claim('k');
    const later = open(path, { inProgressTtlMs: 60_000, now: () => now });
    now += 59_999;
    expect(await later.claim('k')).toBe('in-progress');
    now += 1;
    expect(await later.claim('k')).toBe('claimed');
  });

  it('names the file and the way out when the file is not a state file', () => {
    const path = stateFile();
    open(path).close();
    stores.pop();
    rmSync(path);
    writeFileSync(path, 'not a database at all, just text that is long enough to have a header', 'utf8');
    const attempt = () => SqliteIdempotencyStore.open(path);
    expect(attempt).toThrow(NotifyStateError);
    expect(attempt).toThrow(
      new RegExp(`^cannot use ${path} as the record of delivered notifications: .*--no-notify-state$`),
    );
  });

  it('refuses a state file of another version rather than guess at it', () => {
    const path = stateFile();
    open(path).close();
    stores.pop();
    const db = new Database(path);
    db.pragma('user_version = 7');
    db.close();
    expect(() => SqliteIdempotencyStore.open(path)).toThrow(
      /it has version 7, and this cloudblame reads version 1/,
    );
  });
});
