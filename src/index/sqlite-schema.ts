/**
 * The schema of the SQLite event index: the tables of the current version, the upgrades from older ones,
 * and `migrate`, which brings a file opened for writing to the current version (a new file gets it at once).
 */
import type Database from 'better-sqlite3';
import type { Identifier } from '../core/model.js';
import type { RequestSummary } from '../core/timeline.js';
import { IndexFileError } from './errors.js';
import { hash53 } from './hash.js';
import { backfillAliasTies } from './sqlite-alias-ties.js';
import { MAX_SPAN_MS } from './sqlite-caller-spans.js';
import { EventRows, type EventValues } from './sqlite-events.js';
import { LayoutWriter } from './sqlite-layout.js';

/** The schema version this code writes (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 4;

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
 * The layouts, events and keys of schema 3.
 * - `events` are unique by time and a hash of their id (sqlite-events.ts); an event's `detail` holds its
 *   values, `layouts` what they are (sqlite-layout.ts).
 * - `caller_spans` finds events by caller (sqlite-caller-spans.ts).
 * - `keys` (below) finds events by identifier, as 53-bit hashes of the text (`hash53`), clustered by
 *   key, change and time; a query checks that each event it reads really carries the key it asked for.
 *   `change` is 1 for a change, 0 for another call, and `ALIAS_TIE` (2, schema 4) for a row that says its
 *   event ties the key to other names (sqlite-alias-ties.ts).
 */
const LAYOUTS_AND_EVENTS = `
  CREATE TABLE layouts (
    id INTEGER PRIMARY KEY,
    layout TEXT NOT NULL UNIQUE
  );
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    event_key INTEGER,
    time_ms INTEGER NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    layout_id INTEGER NOT NULL REFERENCES layouts (id),
    caller_id INTEGER NOT NULL REFERENCES callers (id),
    change INTEGER NOT NULL,
    read_only INTEGER NOT NULL,
    error_code TEXT,
    detail TEXT NOT NULL,
    file_id INTEGER REFERENCES files (id)
  );
  CREATE UNIQUE INDEX events_dedupe ON events (time_ms, event_key);
  CREATE INDEX events_unkeyed ON events (event_id) WHERE event_key IS NULL;
  CREATE TABLE caller_spans (
    caller_id INTEGER NOT NULL,
    change INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    first_ms INTEGER NOT NULL,
    first_rowid INTEGER NOT NULL,
    last_rowid INTEGER NOT NULL,
    PRIMARY KEY (caller_id, change, last_ms, first_rowid)
  ) WITHOUT ROWID;
`;

/** The keys of schemas 2 to 4. */
const KEYS = `
  CREATE TABLE keys (
    key INTEGER NOT NULL,
    change INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    event_rowid INTEGER NOT NULL,
    PRIMARY KEY (key, change, time_ms, event_rowid)
  ) WITHOUT ROWID;
`;

/**
 * The events and keys of schema 2 (kept for the upgrade from 1). Events are unique by `(time_ms, event_key)`: a duplicate delivery of
 * an event has its time too, and an index led by time takes new entries near its end, where one led by a
 * hash takes them anywhere (measured: 0.6 µs an event against 2–3 µs). Keys are 53-bit hashes of the
 * identifier text (`hash53`): integer keys are smaller and quicker to insert and compare than text ones;
 * a query checks that each event it reads really carries the key it asked for.
 */
const EVENTS_AND_KEYS_V2 = `
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
${KEYS}`;

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
    ${EVENTS_AND_KEYS_V2}
    INSERT INTO events SELECT id, event_id, event_key, time_ms, account, region, source, name, caller_id, change,
      read_only, error_code, request, compact, file_id FROM events_v1;
    DROP TABLE events_v1;
  `);
  db.function('cloudblame_hash53', { deterministic: true }, (text: unknown) => hash53(String(text)));
  db.exec(`INSERT OR IGNORE INTO keys (key, change, time_ms, event_rowid)
    SELECT cloudblame_hash53(key), change, time_ms, event_rowid FROM keys_v1`);
  db.exec('DROP TABLE keys_v1');
}

interface EventRowV2 {
  id: number;
  event_id: string;
  time_ms: number;
  account: string;
  region: string;
  source: string;
  name: string;
  caller_id: number;
  change: number;
  read_only: number;
  error_code: string | null;
  request: string;
  compact: string;
  file_id: number | null;
}

type CompactV2 = { i: [value: string, path: string, resourceType?: string][]; a: string[][] };

/** Rows of schema 2 moved per step of the upgrade to 3. */
const UPGRADE_PAGE = 5000;

/**
 * Schema 2 to 3: each event keeps its rowid (and so its key rows), its texts split into layout and
 * values; the spans of each caller's events in each file replace the index on events by caller.
 */
function upgradeFrom2(db: Database.Database): void {
  db.exec(`
    DROP INDEX IF EXISTS events_dedupe;
    DROP INDEX IF EXISTS events_caller_time;
    DROP INDEX IF EXISTS events_unkeyed;
    ALTER TABLE events RENAME TO events_v2;
    ${LAYOUTS_AND_EVENTS}
  `);
  const layouts = new LayoutWriter(db);
  const events = new EventRows(db, true);
  const page = db.prepare<[number, number], EventRowV2>(
    'SELECT * FROM events_v2 WHERE id > ? ORDER BY id LIMIT ?',
  );
  for (let last = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = page.all(last, UPGRADE_PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      const compact = JSON.parse(row.compact) as CompactV2;
      const described = {
        eventSource: row.source,
        eventName: row.name,
        identifiers: compact.i.map(
          ([value, idPath, resourceType]): Identifier =>
            resourceType === undefined ? { value, path: idPath } : { value, path: idPath, resourceType },
        ),
        aliases: compact.a,
        request: JSON.parse(row.request) as RequestSummary,
      };
      const [layoutId, detail] = layouts.encode(described);
      const values = [
        row.event_id,
        row.time_ms,
        row.account,
        row.region,
        layoutId,
        row.caller_id,
        row.change,
        row.read_only,
        row.error_code,
        detail,
        row.file_id,
      ] satisfies EventValues;
      events.insert(values, row.id);
      last = row.id;
    }
  }
  db.exec(`
    INSERT OR IGNORE INTO caller_spans (caller_id, change, last_ms, first_ms, first_rowid, last_rowid)
      SELECT caller_id, change, max(time_ms), min(time_ms), min(id), max(id) FROM events
      GROUP BY file_id, caller_id, change, time_ms / ${MAX_SPAN_MS};
    DROP TABLE events_v2;
  `);
}

/** `UPGRADES[v]` takes an index from schema `v` to `v + 1`; a new index gets the current schema at once. */
const UPGRADES: Readonly<Record<number, (db: Database.Database, path: string) => void>> = {
  1: upgradeFrom1,
  2: upgradeFrom2,
  // Schema 3 to 4: the same tables; key rows that tie an event's alias members (sqlite-alias-ties.ts).
  3: backfillAliasTies,
};

/**
 * Brings the file to the current schema.
 * @returns the schema it had when that was an older one (an upgrade ran), else undefined
 * @throws IndexFileError for a newer schema, another database, or an old one opened read-only
 */
export function migrate(db: Database.Database, path: string, readonly: boolean): number | undefined {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new IndexFileError(
      `${path} was built by a newer cloudblame (index schema ${version}, this version reads up to ${SCHEMA_VERSION})`,
    );
  }
  if (version === SCHEMA_VERSION) return undefined;
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
    if (version === 0) db.exec(FILES_AND_CALLERS + LAYOUTS_AND_EVENTS + KEYS);
    else for (let v = version; v < SCHEMA_VERSION; v++) UPGRADES[v]!(db, path);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  return version === 0 ? undefined : version;
}
