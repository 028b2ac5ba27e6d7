/**
 * Which events tie a key to the resource's other names. An event with alias groups (a CreateRole's
 * response ties a role's name, `AROA…` id and ARN; a CreateSecurityGroup a group's name and id) gets,
 * besides its key rows, one row per alias member in `keys` with `change = ALIAS_TIE`. `who` reads them
 * whatever their time: the event that tied two names is usually a resource's oldest, so it is rarely in the
 * newest page of a busy resource or inside `--since`, yet the names it tied still name the resource.
 */
import type Database from 'better-sqlite3';
import { hash53 } from './hash.js';
import { decodeDetail, type Layout, parseLayout } from './sqlite-layout.js';

/** The `change` of a key row that says its event ties the key to other names (1 is a change, 0 a read). */
export const ALIAS_TIE = 2;

/** The members of an event's alias groups, each once. */
export function aliasMembersOf(aliases: readonly (readonly string[])[]): string[] {
  const members = new Set<string>();
  for (const group of aliases) for (const member of group) members.add(member);
  return [...members];
}

/**
 * Schema 3 to 4: the tie rows of the events already indexed, read back from their layouts and values.
 * Only the events of layouts with alias groups are read (one pass over the events table).
 */
export function backfillAliasTies(db: Database.Database, path: string): void {
  // better-sqlite3 runs no other statement on a connection while one is being iterated: read, then write.
  const layouts = new Map<number, Layout>();
  for (const row of db.prepare('SELECT id, layout FROM layouts').iterate() as Iterable<{
    id: number;
    layout: string;
  }>) {
    const layout = parseLayout(row.layout, `${path}: layout ${row.id}`);
    if (layout.aliasSizes.length > 0) layouts.set(row.id, layout);
  }
  if (layouts.size === 0) return;
  const rows = db
    .prepare(
      `SELECT id, time_ms, layout_id, detail FROM events
       WHERE layout_id IN (SELECT value FROM json_each(?))`,
    )
    .iterate(JSON.stringify([...layouts.keys()])) as Iterable<{
    id: number;
    time_ms: number;
    layout_id: number;
    detail: string;
  }>;
  const ties: [key: number, timeMs: number, rowid: number][] = [];
  for (const row of rows) {
    const layout = layouts.get(row.layout_id)!;
    const { aliases } = decodeDetail(layout, row.detail, `${path}: event row ${row.id}`);
    for (const member of aliasMembersOf(aliases)) ties.push([hash53(member), row.time_ms, row.id]);
  }
  const insert = db.prepare(
    `INSERT OR IGNORE INTO keys (key, change, time_ms, event_rowid) VALUES (?, ${ALIAS_TIE}, ?, ?)`,
  );
  for (const [key, timeMs, rowid] of ties) insert.run(key, timeMs, rowid);
}
