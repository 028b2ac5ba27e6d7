import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { identifiersOf } from '../../src/core/identifiers.js';
import type { JsonObject } from '../../src/core/model.js';
import { parseTrailRecord } from '../../src/core/parse/cloudtrail.js';
import { principalOfEvent } from '../../src/core/principal.js';
import { type StoredEvent, storedEventOf } from '../../src/core/timeline.js';
import { type EventsQuery, type FileBatch, SqliteEventIndex } from '../../src/index/sqlite.js';
import { MAX_SPAN_MS } from '../../src/index/sqlite-caller-spans.js';
import { mulberry32 as prng } from '../helpers/prng.js';

const BASE_MS = Date.parse('2026-11-18T09:00:00Z');
const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];

/** Callers: who (userIdentity) and with what (user agent); the same user with two agents is two callers. */
const CALLERS: { userIdentity: JsonObject; userAgent: string }[] = [
  { userIdentity: iamUser('alice'), userAgent: 'aws-cli/2.15.0 Python/3.11' },
  { userIdentity: iamUser('alice'), userAgent: 'Terraform/1.9.0' },
  { userIdentity: iamUser('bob'), userAgent: 'aws-cli/2.15.0 Python/3.11' },
  { userIdentity: assumedRole('deploy', 'ci'), userAgent: 'aws-sdk-js/3.0' },
  { userIdentity: assumedRole('admin', 'carol'), userAgent: 'console.amazonaws.com' },
];

function iamUser(name: string): JsonObject {
  return {
    type: 'IAMUser',
    principalId: `AIDA${name.toUpperCase()}`,
    arn: `arn:aws:iam::111122223333:user/${name}`,
    accountId: '111122223333',
    accessKeyId: `AKIA${name.toUpperCase()}`,
    userName: name,
  };
}

function assumedRole(role: string, session: string): JsonObject {
  return {
    type: 'AssumedRole',
    principalId: `AROA${role.toUpperCase()}:${session}`,
    arn: `arn:aws:sts::111122223333:assumed-role/${role}/${session}`,
    accountId: '111122223333',
    accessKeyId: `ASIA${session.toUpperCase()}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `AROA${role.toUpperCase()}`,
        arn: `arn:aws:iam::111122223333:role/${role}`,
        accountId: '111122223333',
        userName: role,
      },
    },
  };
}

type Kind = 'write' | 'failed' | 'read';

function record(n: number, timeMs: number, caller: number, account: string, kind: Kind): JsonObject {
  const { userIdentity, userAgent } = CALLERS[caller]!;
  return {
    eventVersion: '1.09',
    userIdentity,
    eventTime: new Date(timeMs).toISOString(),
    eventSource: 'ec2.amazonaws.com',
    eventName: kind === 'read' ? 'DescribeSecurityGroups' : 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '192.0.2.10',
    userAgent,
    requestParameters: { groupId: `sg-${String(n % 7).padStart(17, '0')}` },
    responseElements: kind === 'write' ? { _return: true } : null,
    ...(kind === 'failed' && { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'denied' }),
    // Event ids in no relation to time or writing order.
    eventID: `${((n * 2_654_435_761) >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: kind === 'read',
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
}

function stored(raw: JsonObject): StoredEvent {
  const event = parseTrailRecord(raw, { source: 'test' });
  return storedEventOf(event, principalOfEvent(event), identifiersOf(event));
}

/** An event as the test knows it: what it stored, and which of `CALLERS` made it. */
interface Known {
  readonly event: StoredEvent;
  readonly caller: number;
}

interface Dataset {
  /** Files in writing order; a file is written with others in one transaction (`group`). */
  readonly files: { readonly batch: FileBatch; readonly group: number; readonly known: Known[] }[];
  /** Every distinct event, once. */
  readonly events: Known[];
}

interface Shape {
  readonly files: number;
  readonly maxEvents: number;
  readonly callers: number;
  /** Events fall in a window of this many seconds. */
  readonly seconds: number;
  /** Times are whole seconds (as CloudTrail's), many events sharing one; else each event has its own ms. */
  readonly sharedTimes: boolean;
}

/**
 * Files of random events: callers, accounts and kinds drawn at random, times drawn from one window for
 * every file (so files overlap in time), some events written again by a later file.
 */
function dataset(seed: number, shape: Shape): Dataset {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const files: Dataset['files'] = [];
  const events: Known[] = [];
  // Event numbers (and so ids) of one data set are apart from every other's.
  let n = seed * 100_000;
  let group = 0;
  const used = new Set<number>();
  for (let f = 0; f < shape.files; f += 1) {
    const count = 1 + Math.floor(random() * shape.maxEvents);
    const known: Known[] = [];
    for (let e = 0; e < count; e += 1) {
      if (events.length > 0 && random() < 0.08) {
        known.push(pick(events));
        continue;
      }
      n += 1;
      const caller = Math.floor(random() * shape.callers);
      const kind = pick<Kind>(['write', 'write', 'write', 'failed', 'read']);
      let timeMs = BASE_MS + Math.floor(random() * shape.seconds) * 1000;
      if (!shape.sharedTimes) {
        do timeMs = BASE_MS + Math.floor(random() * shape.seconds * 1000);
        while (used.has(timeMs));
        used.add(timeMs);
      }
      const item = { event: stored(record(n, timeMs, caller, pick(ACCOUNTS), kind)), caller };
      known.push(item);
      events.push(item);
    }
    if (random() < 0.6) group += 1;
    files.push({
      group,
      known,
      batch: {
        path: `file-${f}.json`,
        size: 100 + f,
        version: String(f),
        mode: 'all',
        errors: 0,
        events: known.map((k) => k.event),
      },
    });
  }
  return { files, events };
}

/** Writes the files, consecutive files of one group in one transaction. */
function write(idx: SqliteEventIndex, files: Dataset['files']): void {
  let open: number | undefined;
  for (const file of files) {
    if (open !== file.group) {
      if (open !== undefined) idx.commit();
      idx.begin();
      open = file.group;
    }
    idx.writeFile(file.batch, 1);
  }
  if (open !== undefined) idx.commit();
}

/** The index's id of each of `CALLERS`, found by principal and user agent. */
function callerIds(idx: SqliteEventIndex): Map<number, number> {
  const ids = new Map<number, number>();
  for (const row of idx.callers()) {
    const at = CALLERS.findIndex(
      (c) => c.userIdentity['arn'] === row.principal.arn && c.userAgent === row.userAgent,
    );
    expect(at).toBeGreaterThanOrEqual(0);
    expect(ids.has(at)).toBe(false);
    ids.set(at, row.id);
  }
  return ids;
}

/** `newestFirst` of sqlite.ts: newest first, ties by event id, descending. */
function newestFirst(a: StoredEvent, b: StoredEvent): number {
  return b.eventTimeMs - a.eventTimeMs || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0);
}

/** What `eventsByCallers` should give, by a filter of every event. */
function bruteForce(events: readonly Known[], callers: readonly number[], query: EventsQuery): string[] {
  const wanted = new Set(callers);
  const found = events
    .filter(
      ({ event, caller }) =>
        wanted.has(caller) &&
        (event.change || query.includeReads === true) &&
        event.eventTimeMs >= (query.fromMs ?? Number.NEGATIVE_INFINITY) &&
        event.eventTimeMs <= (query.toMs ?? Number.POSITIVE_INFINITY) &&
        (query.accountId === undefined || event.accountId === query.accountId),
    )
    .map((k) => k.event)
    .sort(newestFirst)
    .map((e) => e.eventId);
  const limit = query.limit ?? 0;
  return limit > 0 ? found.slice(0, limit) : found;
}

interface RandomQuery {
  readonly callers: number[];
  readonly query: EventsQuery;
}

function randomQueries(seed: number, count: number, data: Dataset, shape: Shape): RandomQuery[] {
  const random = prng(seed);
  const times = data.events.map((k) => k.event.eventTimeMs);
  const someTime = (): number =>
    random() < 0.5
      ? times[Math.floor(random() * times.length)]!
      : BASE_MS + Math.floor(random() * (shape.seconds + 2) * 1000) - 1000;
  const queries: RandomQuery[] = [];
  for (let q = 0; q < count; q += 1) {
    const callers = CALLERS.map((_, i) => i).filter(() => random() < 0.4);
    const query: { -readonly [K in keyof EventsQuery]: EventsQuery[K] } = {
      limit: [0, 1, 3, 10, 50][Math.floor(random() * 5)]!,
      includeReads: random() < 0.5,
    };
    const window = random();
    if (window < 0.3) query.fromMs = someTime();
    else if (window < 0.5) query.toMs = someTime();
    else if (window < 0.8) {
      const [a, b] = [someTime(), someTime()];
      query.fromMs = Math.min(a, b);
      query.toMs = Math.max(a, b);
    }
    if (random() < 0.4) query.accountId = ACCOUNTS[Math.floor(random() * ACCOUNTS.length)]!;
    queries.push({ callers, query });
  }
  return queries;
}

/** Runs the queries against the index and the brute-force filter; returns the first mismatch found. */
function mismatches(idx: SqliteEventIndex, data: Dataset, queries: readonly RandomQuery[]) {
  const ids = callerIds(idx);
  const found: { callers: number[]; query: EventsQuery; expected: string[]; actual: string[] }[] = [];
  for (const { callers, query } of queries) {
    const dbIds = callers.flatMap((c) => (ids.has(c) ? [ids.get(c)!] : []));
    const actual = idx.eventsByCallers(dbIds, query).map((e) => e.eventId);
    const expected = bruteForce(data.events, callers, query);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      found.push({ callers, query, expected, actual });
    }
  }
  return found;
}

/** Every span row is tight: its range's events of its caller and change span exactly its times and rowids. */
function looseSpans(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    const spans = db
      .prepare('SELECT caller_id, change, first_ms, last_ms, first_rowid, last_rowid FROM caller_spans')
      .all() as {
      caller_id: number;
      change: number;
      first_ms: number;
      last_ms: number;
      first_rowid: number;
      last_rowid: number;
    }[];
    const inRange = db.prepare(
      `SELECT min(time_ms) AS firstMs, max(time_ms) AS lastMs, min(id) AS firstRowid, max(id) AS lastRowid
       FROM events WHERE id BETWEEN ? AND ? AND caller_id = ? AND change = ?`,
    );
    return spans.filter((s) => {
      const row = inRange.get(s.first_rowid, s.last_rowid, s.caller_id, s.change) as Record<string, number>;
      return (
        row['firstMs'] !== s.first_ms ||
        row['lastMs'] !== s.last_ms ||
        row['firstRowid'] !== s.first_rowid ||
        row['lastRowid'] !== s.last_rowid
      );
    });
  } finally {
    db.close();
  }
}

/** The most spans any caller has for one `change`. */
function longestSpanMs(path: string): number {
  const raw = new Database(path, { readonly: true });
  const { longest } = raw.prepare('SELECT max(last_ms - first_ms) AS longest FROM caller_spans').get() as {
    longest: number;
  };
  raw.close();
  return longest;
}

function mostSpans(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db
      .prepare('SELECT max(n) AS n FROM (SELECT count(*) AS n FROM caller_spans GROUP BY caller_id, change)')
      .get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudblame-spans-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const MANY_CALLERS: Shape = {
  files: 40,
  maxEvents: 30,
  callers: CALLERS.length,
  seconds: 900,
  sharedTimes: false,
};
/** Many small files of two callers: many spans per caller. */
const MANY_SPANS: Shape = { files: 300, maxEvents: 3, callers: 2, seconds: 400, sharedTimes: false };
/** Files whose events spread over 6 hours: a caller's events of one file go in several spans (MAX_SPAN_MS). */
const WIDE_FILES: Shape = { ...MANY_CALLERS, seconds: 6 * 3600 };

describe('eventsByCallers, against a filter of every event', () => {
  for (const [name, seed, shape] of [
    ['40 files of 1–30 events, five callers', 1, MANY_CALLERS],
    ['40 files of 1–30 events, five callers (another seed)', 2, MANY_CALLERS],
    ['300 files of 1–3 events, two callers', 3, MANY_SPANS],
    ['40 files of events spread over 6 hours, five callers', 8, WIDE_FILES],
  ] as const) {
    it(`gives the same events in the same order: ${name}`, () => {
      const data = dataset(seed, shape);
      const path = join(dir, 'i.db');
      const idx = SqliteEventIndex.open(path);
      write(idx, data.files);
      expect(idx.stats().events).toBe(data.events.length);
      expect(mismatches(idx, data, randomQueries(seed * 7919, 300, data, shape))).toEqual([]);
      idx.close();
      if (shape === MANY_SPANS) expect(mostSpans(path)).toBeGreaterThan(2 * 64);
      if (shape === WIDE_FILES) expect(longestSpanMs(path)).toBeLessThan(MAX_SPAN_MS);
    });
  }

  it('gives the same events in the same order when many share a second, without a limit', () => {
    const shape = { ...MANY_CALLERS, seconds: 120, sharedTimes: true };
    const data = dataset(17, shape);
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    write(idx, data.files);
    const queries = randomQueries(171, 300, data, shape).map(({ callers, query }) => ({
      callers,
      query: { ...query, limit: 0 },
    }));
    expect(mismatches(idx, data, queries)).toEqual([]);
    idx.close();
  });

  it('gives the limit newest events when many share a second, cut anywhere among those of the last second', () => {
    const shape = { ...MANY_CALLERS, seconds: 120, sharedTimes: true };
    const data = dataset(18, shape);
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    write(idx, data.files);
    const ids = callerIds(idx);
    const byId = new Map(data.events.map((k) => [k.event.eventId, k.event]));
    for (const { callers, query } of randomQueries(181, 300, data, shape)) {
      const all = bruteForce(data.events, callers, { ...query, limit: 0 });
      const expected = bruteForce(data.events, callers, query);
      const actual = idx
        .eventsByCallers(
          callers.flatMap((c) => (ids.has(c) ? [ids.get(c)!] : [])),
          query,
        )
        .map((e) => e.eventId);
      const timeOf = (id: string) => byId.get(id)!.eventTimeMs;
      // As many, of the same times, in order, each one an answer; those newer than the last time exact.
      expect(actual.map(timeOf)).toEqual(expected.map(timeOf));
      expect(actual.every((id) => all.includes(id))).toBe(true);
      expect(actual).toEqual([...actual].sort((a, b) => newestFirst(byId.get(a)!, byId.get(b)!)));
      const last = expected.length > 0 ? timeOf(expected[expected.length - 1]!) : 0;
      expect(actual.filter((id) => timeOf(id) > last)).toEqual(expected.filter((id) => timeOf(id) > last));
    }
    idx.close();
  });

  it('gives every event of the callers, newest first, without a limit', () => {
    const data = dataset(4, MANY_CALLERS);
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    write(idx, data.files);
    const all = CALLERS.map((_, i) => i);
    const query = { includeReads: true };
    const ids = [...callerIds(idx).values()];
    expect(idx.eventsByCallers(ids, query).map((e) => e.eventId)).toEqual(
      bruteForce(data.events, all, query),
    );
    idx.close();
  });

  it('gives back the events as they were stored', () => {
    const data = dataset(5, { ...MANY_CALLERS, files: 5 });
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    write(idx, data.files);
    const byId = new Map(data.events.map((k) => [k.event.eventId, k.event]));
    const found = idx.eventsByCallers([...callerIds(idx).values()], { includeReads: true });
    expect(found.length).toBe(data.events.length);
    for (const event of found) expect(event).toEqual(byId.get(event.eventId));
    idx.close();
  });

  it('writes spans that are tight around their events', () => {
    const data = dataset(6, MANY_CALLERS);
    const path = join(dir, 'i.db');
    const idx = SqliteEventIndex.open(path);
    write(idx, data.files);
    idx.close();
    expect(looseSpans(path)).toEqual([]);
  });

  it('gives nothing for no callers, or for a caller id not in the index', () => {
    const data = dataset(7, { ...MANY_CALLERS, files: 5 });
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    write(idx, data.files);
    expect(idx.eventsByCallers([], { includeReads: true })).toEqual([]);
    expect(idx.eventsByCallers([9_999], { includeReads: true })).toEqual([]);
    idx.close();
  });

  it('finds the events putStored wrote, outside any file', () => {
    const data = dataset(8, { ...MANY_CALLERS, files: 10 });
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    for (const file of data.files) idx.putStored(file.batch.events);
    expect(mismatches(idx, data, randomQueries(88, 100, data, MANY_CALLERS))).toEqual([]);
    idx.close();
  });
});

describe('eventsByCallers after a rollback', () => {
  it('finds nothing of a rolled-back transaction, and the right events written after it', () => {
    const data = dataset(9, MANY_CALLERS);
    const path = join(dir, 'i.db');
    const idx = SqliteEventIndex.open(path);
    write(idx, data.files.slice(0, 20));
    // A transaction of several files (a new caller among them), rolled back.
    const dropped = dataset(10, { ...MANY_CALLERS, files: 4 });
    const stranger = stored({
      ...record(999_999, BASE_MS + 5_000, 0, ACCOUNTS[0]!, 'write'),
      userIdentity: iamUser('mallory'),
    });
    idx.begin();
    for (const file of dropped.files) idx.writeFile(file.batch, 1);
    idx.writeFile({ ...dropped.files[0]!.batch, path: 'stranger.json', events: [stranger] }, 1);
    idx.rollback();
    expect(idx.callers().some((c) => c.principal.userName === 'mallory')).toBe(false);
    write(idx, data.files.slice(20));
    // Every event of `data` was written by a kept file; the dropped ones were never.
    expect(mismatches(idx, data, randomQueries(99, 200, data, MANY_CALLERS))).toEqual([]);
    idx.close();
    expect(looseSpans(path)).toEqual([]);
  });

  it('finds nothing of a file that failed mid-way, and the right events written after it', () => {
    const data = dataset(11, MANY_CALLERS);
    const path = join(dir, 'i.db');
    const idx = SqliteEventIndex.open(path);
    write(idx, data.files.slice(0, 20));
    // Events of every caller go in (and into the write's open spans), then one throws.
    const doomed = dataset(12, { ...MANY_CALLERS, files: 1, maxEvents: 1 }).events[0]!.event;
    const crashing = {
      ...doomed,
      get request(): never {
        throw new Error('simulated crash');
      },
    } as StoredEvent;
    const partial = dataset(13, { ...MANY_CALLERS, files: 3 }).files.flatMap((f) => f.batch.events);
    idx.begin();
    expect(() =>
      idx.writeFile({ ...data.files[0]!.batch, path: 'crash.json', events: [...partial, crashing] }, 1),
    ).toThrow('simulated crash');
    idx.rollback();
    write(idx, data.files.slice(20));
    expect(mismatches(idx, data, randomQueries(111, 200, data, MANY_CALLERS))).toEqual([]);
    idx.close();
    expect(looseSpans(path)).toEqual([]);
  });

  it('finds nothing of a putStored that failed mid-way', () => {
    const data = dataset(14, { ...MANY_CALLERS, files: 10 });
    const path = join(dir, 'i.db');
    const idx = SqliteEventIndex.open(path);
    write(idx, data.files);
    const extra = dataset(15, { ...MANY_CALLERS, files: 2 }).events.map((k) => k.event);
    const crashing = {
      ...extra[0]!,
      eventId: 'crash',
      get request(): never {
        throw new Error('simulated crash');
      },
    } as StoredEvent;
    expect(() => idx.putStored([...extra.slice(1), crashing])).toThrow('simulated crash');
    expect(mismatches(idx, data, randomQueries(141, 100, data, MANY_CALLERS))).toEqual([]);
    idx.close();
    expect(looseSpans(path)).toEqual([]);
  });
});

describe('eventsByCallers on an index reopened read-only', () => {
  it('answers as the writer did', () => {
    const data = dataset(16, MANY_CALLERS);
    const path = join(dir, 'i.db');
    const writer = SqliteEventIndex.open(path);
    write(writer, data.files);
    const queries = randomQueries(161, 200, data, MANY_CALLERS);
    const ids = callerIds(writer);
    const ask = (idx: SqliteEventIndex) =>
      queries.map(({ callers, query }) =>
        idx.eventsByCallers(
          callers.flatMap((c) => (ids.has(c) ? [ids.get(c)!] : [])),
          query,
        ),
      );
    const answers = ask(writer);
    writer.close();
    const reader = SqliteEventIndex.open(path, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(callerIds(reader)).toEqual(ids);
    expect(ask(reader)).toEqual(answers);
    expect(mismatches(reader, data, queries)).toEqual([]);
    reader.close();
  });
});

describe('eventsByCallers with a limit that cuts among events of one time', () => {
  // The cut to `limit` must follow the result order (event id among equal times), not the rowids.
  it('keeps the events first in the result order (event id, descending)', () => {
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    const timeMs = BASE_MS;
    const high = stored({ ...record(1, timeMs, 0, ACCOUNTS[0]!, 'write'), eventID: 'b-event' });
    const low = stored({ ...record(2, timeMs, 0, ACCOUNTS[0]!, 'write'), eventID: 'a-event' });
    idx.putStored([high, low]);
    const [caller] = idx.callers();
    expect(idx.eventsByCallers([caller!.id]).map((e) => e.eventId)).toEqual(['b-event', 'a-event']);
    expect(idx.eventsByCallers([caller!.id], { limit: 1 }).map((e) => e.eventId)).toEqual(['b-event']);
    idx.close();
  });
});
