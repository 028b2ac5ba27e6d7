/**
 * The schema of the SQLite event index: the tables of the current version, the upgrades from older ones,
 * and `migrate`, which brings a file opened for writing to the current version (a new file gets it at once).
 */
import type Database from 'better-sqlite3';
import { IndexFileError } from './errors.js';
import { hash53 } from './hash.js';

/** The schema version this code writes (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 2;

/** Tables and indexes common to every schema version. */
const FILES_AND_CALLERS = `
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    version TEXT NOT NULL,
    mode TEXT NOT NULL,
    events INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    indexed_at INTEGER NOT NULL
  );
  CREATE TABLE callers (
    id INTEGER PRIMARY KEY,
    hash INTEGER NOT NULL,
    key TEXT NOT NULL,
    principal TEXT NOT NULL,
    arn TEXT,
    role_arn TEXT,
    display TEXT NOT NULL,
    type TEXT NOT NULL,
    channel TEXT NOT NULL,
    session TEXT,
    user_name TEXT,
    identity_center_user TEXT,
    access_key_id TEXT,
    user_agent TEXT,
    source_ip TEXT
  );
  CREATE INDEX callers_hash ON callers (hash);
  CREATE INDEX callers_access_key ON callers (access_key_id) WHERE access_key_id IS NOT NULL;
`;

/**
 * The events and keys of schema 2. Events are unique by `(time_ms, event_key)`: a duplicate delivery of
 * an event has its time too, and an index led by time takes new entries near its end, where one led by a
 * hash takes them anywhere (measured: 0.6 µs an event against 2–3 µs). Keys are 53-bit hashes of the
 * identifier text (`hash53`): integer keys are smaller and quicker to insert and compare than text ones;
 * a query checks that each event it reads really carries the key it asked for.
 */
const EVENTS_AND_KEYS = `
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    event_key INTEGER,
    time_ms INTEGER NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    caller_id INTEGER NOT NULL REFERENCES callers (id),
    change INTEGER NOT NULL,
    read_only INTEGER NOT NULL,
    error_code TEXT,
    request TEXT NOT NULL,
    compact TEXT NOT NULL,
    file_id INTEGER REFERENCES files (id)
  );
  CREATE UNIQUE INDEX events_dedupe ON events (time_ms, event_key);
  CREATE INDEX events_caller_time ON events (caller_id, change, time_ms);
  CREATE INDEX events_unkeyed ON events (event_id) WHERE event_key IS NULL;
  CREATE TABLE keys (
    key INTEGER NOT NULL,
    change INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    event_rowid INTEGER NOT NULL,
    PRIMARY KEY (key, change, time_ms, event_rowid)
  ) WITHOUT ROWID;
`;

/**
 * Schema 1 to 2: events move to a table without the hash-ordered unique index (its rowids, and so the
 * keys' references, stay as they are), and keys are rehashed from text to integers.
 */
function upgradeFrom1(db: Database.Database): void {
  db.exec(`
    ALTER TABLE events RENAME TO events_v1;
    ALTER TABLE keys RENAME TO keys_v1;
    DROP INDEX IF EXISTS events_caller_time;
    DROP INDEX IF EXISTS events_unkeyed;
    ${EVENTS_AND_KEYS}
    INSERT INTO events SELECT id, event_id, event_key, time_ms, account, region, source, name, caller_id, change,
      read_only, error_code, request, compact, file_id FROM events_v1;
    DROP TABLE events_v1;
  `);
  db.function('cloudblame_hash53', { deterministic: true }, (text: unknown) => hash53(String(text)));
  db.exec(`INSERT OR IGNORE INTO keys (key, change, time_ms, event_rowid)
    SELECT cloudblame_hash53(key), change, time_ms, event_rowid FROM keys_v1`);
  db.exec('DROP TABLE keys_v1');
}

/** `UPGRADES[v]` takes an index from schema `v` to `v + 1`; a new index gets the current schema at once. */
const UPGRADES: Readonly<Record<number, (db: Database.Database) => void>> = { 1: upgradeFrom1 };

export function migrate(db: Database.Database, path: string, readonly: boolean): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new IndexFileError(
      `${path} was built by a newer cloudblame (index schema ${version}, this version reads up to ${SCHEMA_VERSION})`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  if (readonly) {
    throw new IndexFileError(
      version === 0
        ? `${path} is not a cloudblame event index (empty or another database)`
        : `${path} uses index schema ${version}; run cloudblame index --db ${path} once to upgrade it to ${SCHEMA_VERSION}`,
    );
  }
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
      n: number;
    };
    if (tables.n > 0)
      throw new IndexFileError(`${path} is another SQLite database, not a cloudblame event index`);
  }
  db.transaction(() => {
    if (version === 0) db.exec(FILES_AND_CALLERS + EVENTS_AND_KEYS);
    else for (let v = version; v < SCHEMA_VERSION; v++) UPGRADES[v]!(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
