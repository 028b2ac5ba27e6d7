import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexArchive } from '../../src/actions/index-archive.js';
import { identifiersOf } from '../../src/core/identifiers.js';
import type { JsonObject } from '../../src/core/model.js';
import { parseTrailRecord } from '../../src/core/parse/cloudtrail.js';
import { principalOfEvent } from '../../src/core/principal.js';
import { type StoredEvent, storedEventOf } from '../../src/core/timeline.js';
import {
  hash53,
  IndexFileError,
  SCHEMA_VERSION,
  SqliteEventIndex,
  TIME_SPAN_SQL,
} from '../../src/index/sqlite.js';
import { capture } from '../helpers/cloudblame-index.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'examples', 'cloudtrail');
const SG = 'sg-0123456789abcdef0';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudblame-sqlite-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function record(overrides: JsonObject = {}): JsonObject {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: 'arn:aws:iam::111122223333:user/bob',
      accountId: '111122223333',
      accessKeyId: 'AKIARZ5DKQ7XMS4TQ2PL',
      userName: 'bob',
    },
    eventTime: '2026-11-18T09:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.15.0 Python/3.11',
    requestParameters: { groupId: SG, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22 }] } },
    responseElements: { _return: true },
    eventID: '00000000-0000-4000-8000-000000000001',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...overrides,
  };
}

function stored(raw: JsonObject): StoredEvent {
  const event = parseTrailRecord(raw, { source: 'test' });
  return storedEventOf(event, principalOfEvent(event), identifiersOf(event));
}

function eventAt(n: number, overrides: JsonObject = {}): StoredEvent {
  return stored(
    record({
      eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      eventTime: new Date(Date.parse('2026-11-18T09:00:00Z') + n * 1000).toISOString(),
      ...overrides,
    }),
  );
}

const quiet = (): Writable & { isTTY?: boolean } =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

async function index(sources: string[], db: string, all = false) {
  const stderr = capture();
  const result = await indexArchive(
    { sources, db, all, progress: false, maxErrors: 0 },
    { stderr: stderr.stream },
  );
  return { ...result, stderr: stderr.text() };
}

/** An empty index marked as schema 3, the last before alias ties. */
function schema3Index(): string {
  const path = join(dir, 'old.db');
  SqliteEventIndex.open(path).close();
  const old = new Database(path);
  old.pragma('user_version = 3');
  old.close();
  return path;
}

describe('SqliteEventIndex', () => {
  it('creates the schema once and records its version', () => {
    const path = join(dir, 'nested', 'index.db');
    SqliteEventIndex.open(path).close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    // Opening again migrates nothing and keeps the data.
    const again = SqliteEventIndex.open(path);
    again.putStored([eventAt(1)]);
    again.close();
    expect(SqliteEventIndex.open(path, { readonly: true }).stats().events).toBe(1);
  });

  it('refuses a directory as the index file, naming a file that would do', () => {
    for (const readonly of [true, false]) {
      expect(() => SqliteEventIndex.open(dir, { readonly })).toThrow(
        /is a directory; --db takes the index file, e.g. --db .*index\.db/,
      );
    }
  });

  it('refuses a missing file (read-only), another database and a newer schema', () => {
    expect(() => SqliteEventIndex.open(join(dir, 'missing.db'), { readonly: true })).toThrow(
      /no event index at .*missing\.db.*cloudblame index/,
    );
    const other = join(dir, 'other.db');
    const raw = new Database(other);
    raw.exec('CREATE TABLE t (x)');
    raw.close();
    expect(() => SqliteEventIndex.open(other)).toThrow(IndexFileError);
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => SqliteEventIndex.open(newer)).toThrow(/newer cloudblame/);
  });

  it('stores events once and finds them by every identifier, newest first', () => {
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    const first = idx.putStored([eventAt(1), eventAt(2), eventAt(3)]);
    expect(first).toMatchObject({ inserted: 3, duplicates: 0 });
    expect(idx.putStored([eventAt(2)])).toMatchObject({ inserted: 0, duplicates: 1 });
    const found = idx.eventsByKeys([SG]);
    expect(found.map((e) => e.eventId.slice(-1))).toEqual(['3', '2', '1']);
    const one = found[0]!;
    expect(one.principal.arn).toBe('arn:aws:iam::111122223333:user/bob');
    expect(one.accessKeyId).toBe('AKIARZ5DKQ7XMS4TQ2PL');
    expect(one.request).toMatchObject({ groupId: SG, ipPermissions: 'tcp 22' });
    expect(one.identifiers).toContainEqual(
      expect.objectContaining({ value: SG, resourceType: 'AWS::EC2::SecurityGroup' }),
    );
    expect(idx.eventsByKeys([SG], { limit: 2 })).toHaveLength(2);
    expect(idx.eventsByKeys([SG], { fromMs: Date.parse('2026-11-18T09:00:02Z') })).toHaveLength(2);
    expect(idx.eventsByKeys([SG], { accountId: '444455556666' })).toHaveLength(0);
    expect(idx.event(one.eventId)?.eventName).toBe('AuthorizeSecurityGroupIngress');
    idx.close();
  });

  it('keeps reads and failed calls apart from changes', () => {
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    idx.putStored([
      eventAt(1),
      eventAt(2, { eventName: 'DescribeSecurityGroups', readOnly: true }),
      eventAt(3, { errorCode: 'Client.UnauthorizedOperation' }),
    ]);
    expect(idx.eventsByKeys([SG]).map((e) => e.eventId.slice(-1))).toEqual(['1']);
    expect(idx.eventsByKeys([SG], { includeReads: true }).map((e) => e.eventId.slice(-1))).toEqual([
      '3',
      '2',
      '1',
    ]);
    idx.close();
  });

  it('is an EventIndex: writes in one account and window, oldest first', async () => {
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    await idx.put([eventAt(1), eventAt(2)]);
    const found = await idx.query({
      accountId: '111122223333',
      keys: [SG, 'nothing'],
      fromMs: 0,
      toMs: Date.parse('2030-01-01T00:00:00Z'),
    });
    expect(found.map((e) => e.eventId.slice(-1))).toEqual(['1', '2']);
    expect(await idx.query({ accountId: '444455556666', keys: [SG], fromMs: 0, toMs: 1e15 })).toEqual([]);
    idx.close();
  });

  it('stores each caller once and finds callers by access key', () => {
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    idx.putStored([eventAt(1), eventAt(2), eventAt(3, { userAgent: 'console.amazonaws.com' })]);
    expect(idx.stats().callers).toBe(2);
    expect(idx.callers('AKIARZ5DKQ7XMS4TQ2PL')).toHaveLength(2);
    expect(idx.callers('AKIANOTAKEY00000')).toHaveLength(0);
    const ids = idx.callers().map((c) => c.id);
    expect(idx.eventsByCallers(ids)).toHaveLength(3);
    idx.close();
  });

  it('tells apart two events whose ids hash alike', () => {
    // Find a real 53-bit collision is hopeless; instead plant a row under the hash of the second id.
    const path = join(dir, 'i.db');
    const idx = SqliteEventIndex.open(path);
    idx.putStored([eventAt(1)]);
    idx.close();
    const raw = new Database(path);
    const second = eventAt(2);
    // Events are unique by time and hash: the planted row holds the second event's place.
    raw
      .prepare('UPDATE events SET event_key = ?, time_ms = ?')
      .run(hash53(second.eventId), second.eventTimeMs);
    raw.close();
    const again = SqliteEventIndex.open(path);
    expect(again.putStored([eventAt(2)])).toMatchObject({ inserted: 1, duplicates: 0 });
    expect(again.putStored([eventAt(2)])).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(again.event(second.eventId)?.eventId).toBe(second.eventId);
    expect(again.event(second.eventId, second.eventTimeMs)?.eventId).toBe(second.eventId);
    expect(again.eventsByKeys([SG])).toHaveLength(2);
    again.close();
  });

  it('leaves out an event reached through another identifier whose hash is the same', () => {
    // A real 53-bit collision cannot be found either; plant a key row under the other identifier's hash.
    const path = join(dir, 'i.db');
    const idx = SqliteEventIndex.open(path);
    idx.putStored([eventAt(1)]);
    idx.close();
    const raw = new Database(path);
    const { id, time_ms } = raw.prepare('SELECT id, time_ms FROM events').get() as {
      id: number;
      time_ms: number;
    };
    raw.prepare('INSERT INTO keys VALUES (?, 1, ?, ?)').run(hash53('sg-0000000000000000f'), time_ms, id);
    raw.close();
    const again = SqliteEventIndex.open(path, { readonly: true });
    expect(again.eventsByKeys(['sg-0000000000000000f'])).toEqual([]);
    expect(again.eventsByKeys([SG])).toHaveLength(1);
    again.close();
  });

  it('finds the span of its events by two lookups in the index by time, not a scan', () => {
    const path = join(dir, 'span.db');
    const idx = SqliteEventIndex.open(path);
    expect(idx.timeSpan()).toBeUndefined();
    idx.putStored([eventAt(5), eventAt(1), eventAt(9)]);
    expect(idx.timeSpan()).toEqual({ firstMs: eventAt(1).eventTimeMs, lastMs: eventAt(9).eventTimeMs });
    idx.close();
    const raw = new Database(path, { readonly: true });
    const plan = raw
      .prepare(`EXPLAIN QUERY PLAN ${TIME_SPAN_SQL}`)
      .all()
      .map((step) => (step as { detail: string }).detail);
    raw.close();
    expect(plan.filter((detail) => detail.startsWith('SEARCH events'))).toHaveLength(2);
    expect(plan.filter((detail) => detail.startsWith('SCAN events'))).toEqual([]);
  });

  it('upgrades an index of schema 1 (text keys) in place, keeping its events, callers and files', () => {
    const path = join(dir, 'v1.db');
    const v1 = new Database(path);
    v1.exec(readFileSync(join(root, 'test', 'fixtures', 'index', 'schema-1.sql'), 'utf8'));
    v1.prepare(
      `INSERT INTO callers (id, hash, key, principal, display, type, channel) VALUES (1, 7, 'k', ?, 'bob', 'IAMUser', 'cli')`,
    ).run(JSON.stringify(eventAt(1).principal));
    v1.prepare(
      `INSERT INTO files (id, path, size, version, mode, events, errors, indexed_at) VALUES (1, 'a.json.gz', 10, '1', 'writes', 1, 0, 0)`,
    ).run();
    const event = eventAt(1);
    v1.prepare(
      `INSERT INTO events (id, event_id, event_key, time_ms, account, region, source, name, caller_id, change, read_only,
         error_code, request, compact, file_id) VALUES (5, ?, ?, ?, '111122223333', 'eu-west-1', 'ec2.amazonaws.com',
         'AuthorizeSecurityGroupIngress', 1, 1, 0, NULL, '{}', ?, 1)`,
    ).run(
      event.eventId,
      hash53(event.eventId),
      event.eventTimeMs,
      JSON.stringify({ i: [[SG, 'requestParameters.groupId']], a: [] }),
    );
    v1.prepare('INSERT INTO keys VALUES (?, 1, ?, 5)').run(SG, event.eventTimeMs);
    v1.pragma('user_version = 1');
    v1.close();

    expect(() => SqliteEventIndex.open(path, { readonly: true })).toThrow(/schema 1; run cloudblame index/);
    const upgraded = SqliteEventIndex.open(path);
    expect(upgraded.stats()).toEqual({ events: 1, keys: 1, callers: 1, files: 1 });
    expect(upgraded.eventsByKeys([SG]).map((e) => e.eventId)).toEqual([event.eventId]);
    expect(upgraded.eventsByCallers([1]).map((e) => e.eventId)).toEqual([event.eventId]);
    expect(upgraded.fileState('a.json.gz')).toMatchObject({ size: 10, events: 1 });
    // The upgraded index takes new events and still refuses duplicates.
    expect(upgraded.putStored([eventAt(1), eventAt(2)])).toMatchObject({ inserted: 1, duplicates: 1 });
    expect(upgraded.eventsByKeys([SG])).toHaveLength(2);
    upgraded.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('upgrades an index of schema 2 (texts in each row) in place, keeping what its events name', () => {
    const path = join(dir, 'v2.db');
    const v2 = new Database(path);
    v2.exec(readFileSync(join(root, 'test', 'fixtures', 'index', 'schema-2.sql'), 'utf8'));
    const event = eventAt(1);
    v2.prepare(
      `INSERT INTO callers (id, hash, key, principal, display, type, channel, access_key_id)
         VALUES (3, 7, 'k', ?, 'bob', 'IAMUser', 'cli', 'AKIARZ5DKQ7XMS4TQ2PL')`,
    ).run(JSON.stringify(event.principal));
    const insert = v2.prepare(
      `INSERT INTO events (id, event_id, event_key, time_ms, account, region, source, name, caller_id, change, read_only,
         error_code, request, compact, file_id) VALUES (?, ?, ?, ?, '111122223333', 'eu-west-1', 'ec2.amazonaws.com',
         ?, 3, ?, ?, ?, ?, ?, NULL)`,
    );
    insert.run(
      7,
      event.eventId,
      hash53(event.eventId),
      event.eventTimeMs,
      'AuthorizeSecurityGroupIngress',
      1,
      0,
      null,
      JSON.stringify({ groupId: SG, 'ipPermissions.fromPort': 22, dryRun: false }),
      JSON.stringify({
        i: [
          [SG, 'requestParameters.groupId', 'AWS::EC2::SecurityGroup'],
          ['sgr-1', 'responseElements.securityGroupRuleSet'],
        ],
        a: [[SG, 'web']],
      }),
    );
    const failed = eventAt(2, { errorCode: 'Client.UnauthorizedOperation' });
    insert.run(
      9,
      failed.eventId,
      null,
      failed.eventTimeMs,
      'AuthorizeSecurityGroupIngress',
      0,
      0,
      'Client.UnauthorizedOperation',
      '{}',
      JSON.stringify({ i: [[SG, 'requestParameters.groupId']], a: [] }),
    );
    const addKey = v2.prepare('INSERT INTO keys VALUES (?, ?, ?, ?)');
    addKey.run(hash53(SG), 1, event.eventTimeMs, 7);
    addKey.run(hash53('web'), 1, event.eventTimeMs, 7);
    addKey.run(hash53(SG), 0, failed.eventTimeMs, 9);
    v2.pragma('user_version = 2');
    v2.close();

    expect(() => SqliteEventIndex.open(path, { readonly: true })).toThrow(/schema 2; run cloudblame index/);
    const upgraded = SqliteEventIndex.open(path);
    // Three key rows, and (schema 4) two that say the event ties the group's id and name.
    expect(upgraded.stats()).toEqual({ events: 2, keys: 5, callers: 1, files: 0 });
    expect(upgraded.aliasTies([SG]).map((e) => e.eventId)).toEqual([event.eventId]);
    const [found] = upgraded.eventsByKeys(['web']);
    expect(found).toMatchObject({
      eventId: event.eventId,
      eventName: 'AuthorizeSecurityGroupIngress',
      eventSource: 'ec2.amazonaws.com',
      request: { groupId: SG, 'ipPermissions.fromPort': 22, dryRun: false },
      identifiers: [
        { value: SG, path: 'requestParameters.groupId', resourceType: 'AWS::EC2::SecurityGroup' },
        { value: 'sgr-1', path: 'responseElements.securityGroupRuleSet' },
      ],
      aliases: [[SG, 'web']],
      accessKeyId: 'AKIARZ5DKQ7XMS4TQ2PL',
    });
    // The failed call, stored without a key in schema 2, is found by its id and time, and by its caller.
    expect(upgraded.event(failed.eventId, failed.eventTimeMs)?.errorCode).toBe(
      'Client.UnauthorizedOperation',
    );
    expect(upgraded.eventsByCallers([3], { includeReads: true }).map((e) => e.eventId)).toEqual([
      failed.eventId,
      event.eventId,
    ]);
    expect(upgraded.putStored([eventAt(1)])).toMatchObject({ inserted: 0, duplicates: 1 });
    upgraded.close();
    expect(danglingRows(path)).toEqual([]);
  });

  it('keeps, for an event that ties names, which names it ties, whatever its time or its page', () => {
    const idx = SqliteEventIndex.open(join(dir, 'ties.db'));
    const created = eventAt(1, {
      eventName: 'CreateSecurityGroup',
      requestParameters: { groupName: 'web', groupDescription: 'web' },
      responseElements: { _return: true, groupId: SG },
    });
    idx.putStored([created, eventAt(2), eventAt(3)]);
    expect(created.aliases).toEqual([['web', SG]]);
    expect(idx.aliasTies([SG]).map((e) => e.eventId)).toEqual([created.eventId]);
    expect(idx.aliasTies(['web']).map((e) => e.eventId)).toEqual([created.eventId]);
    // Ties are not changes of their own: the key's changes are each listed once.
    expect(idx.eventsByKeys([SG]).map((e) => e.eventId)).toEqual(
      [3, 2, 1].map((n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`),
    );
    expect(idx.aliasTies(['another-group'])).toEqual([]);
    idx.close();
  });

  it('upgrades an index of schema 3 by finding the names its events already tie', () => {
    const path = join(dir, 'v3.db');
    const idx = SqliteEventIndex.open(path);
    const created = eventAt(1, {
      eventName: 'CreateSecurityGroup',
      requestParameters: { groupName: 'web', groupDescription: 'web' },
      responseElements: { _return: true, groupId: SG },
    });
    idx.putStored([created, eventAt(2)]);
    const withTies = idx.stats();
    idx.close();
    // Schema 3 wrote no tie rows.
    const v3 = new Database(path);
    v3.prepare('DELETE FROM keys WHERE change = 2').run();
    v3.pragma('user_version = 3');
    v3.close();

    expect(() => SqliteEventIndex.open(path, { readonly: true })).toThrow(/schema 3; run cloudblame index/);
    const upgraded = SqliteEventIndex.open(path);
    expect(upgraded.upgradedFrom).toBe(3);
    expect(upgraded.stats()).toEqual(withTies);
    expect(upgraded.aliasTies(['web']).map((e) => e.eventId)).toEqual([created.eventId]);
    upgraded.close();
    expect(danglingRows(path)).toEqual([]);
    const reopened = SqliteEventIndex.open(path, { readonly: true });
    expect(reopened.upgradedFrom).toBeUndefined();
    reopened.close();
  });

  it('upgrades an existing index when given no sources, as who asks, and creates none', async () => {
    const path = schema3Index();
    expect(() => SqliteEventIndex.open(path, { readonly: true })).toThrow(
      /run cloudblame index --db .*old\.db once to upgrade it/,
    );
    const upgrade = await index([], path);
    expect(upgrade.exitCode).toBe(0);
    expect(upgrade.stderr).toMatch(/upgraded .*old\.db from index schema 3/);
    // Scripts run it whether or not there is anything to upgrade.
    const again = await index([], path);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/is up to date \(index schema \d+\); to add to it, give CloudTrail files/);
    const missing = join(dir, 'missing.db');
    const none = await index([], missing);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(
      /nothing to index: give CloudTrail files, directories or s3:\/\/bucket\/prefix/,
    );
    expect(existsSync(missing)).toBe(false);
  });

  it('creates no index file when every source is a missing path', async () => {
    const db = join(dir, 'typo.db');
    const run = await index([join(dir, 'no-such-archive')], db);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/no-such-archive: no such file or directory/);
    expect(existsSync(db)).toBe(false);
  });

  it('says when an index run upgraded the index first', async () => {
    const path = schema3Index();
    const run = await index([examples], path);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(`upgraded .*old\\.db from index schema 3 to ${SCHEMA_VERSION} in \\d+\\.\\d s`),
    );
    expect((await index([examples], path)).stderr).not.toMatch(/upgraded/);
  });

  it('forgets the layouts it read inside a transaction that rolls back', () => {
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    const tagged = eventAt(1, {
      eventName: 'CreateTags',
      requestParameters: { resourcesSet: { items: [{ resourceId: SG }] }, tagSet: { items: [{ key: 'a' }] } },
    });
    idx.begin();
    idx.writeFile({ path: 'a.json', size: 1, version: '1', mode: 'writes', errors: 0, events: [tagged] });
    expect(idx.event(tagged.eventId)?.eventName).toBe('CreateTags');
    idx.rollback();
    // The rolled-back layout's id now goes to another layout, with other values.
    const deleted = eventAt(2, { eventName: 'DeleteSecurityGroup', requestParameters: { groupId: SG } });
    idx.putStored([deleted]);
    expect(idx.event(deleted.eventId)).toMatchObject({
      eventName: 'DeleteSecurityGroup',
      request: { groupId: SG },
    });
    idx.close();
  });

  it('leaves no partial rows when a write fails mid-file', () => {
    const idx = SqliteEventIndex.open(join(dir, 'i.db'));
    idx.writeFiles([
      { path: 'a.json', size: 1, version: '1', mode: 'writes', errors: 0, events: [eventAt(1)] },
    ]);
    const before = idx.stats();
    const newcomer = { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/new', userName: 'new' };
    const crashing = {
      ...eventAt(4, { userIdentity: newcomer }),
      get request(): never {
        throw new Error('simulated crash');
      },
    } as StoredEvent;
    expect(() =>
      idx.writeFiles([
        {
          path: 'b.json',
          size: 1,
          version: '1',
          mode: 'writes',
          errors: 0,
          events: [eventAt(2), eventAt(3)],
        },
        { path: 'c.json', size: 1, version: '1', mode: 'writes', errors: 0, events: [eventAt(5), crashing] },
      ]),
    ).toThrow('simulated crash');
    expect(idx.stats()).toEqual(before);
    expect(idx.fileState('b.json')).toBeUndefined();
    expect(idx.fileState('c.json')).toBeUndefined();
    // The caller the failed transaction created is not remembered: the next write stores it again.
    expect(idx.putStored([eventAt(4, { userIdentity: newcomer })]).inserted).toBe(1);
    expect(idx.eventsByCallers(idx.callers().map((c) => c.id)).map((e) => e.principal.userName)).toContain(
      'new',
    );
    idx.close();
  });

  it('writes files one by one into an open transaction, and keeps them all or none', () => {
    const idx = SqliteEventIndex.open(join(dir, 'open.db'));
    const file = (path: string, n: number) =>
      ({ path, size: 1, version: '1', mode: 'writes', errors: 0, events: [eventAt(n)] }) as const;
    expect(() => idx.writeFile(file('early.json', 1))).toThrow(/writeFile needs begin\(\) first/);
    idx.begin();
    expect(() => idx.begin()).toThrow(/already open/);
    idx.writeFile(file('a.json', 1));
    idx.writeFile(file('b.json', 2));
    idx.commit();
    expect(idx.stats().events).toBe(2);
    const newcomer = { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/late', userName: 'late' };
    idx.begin();
    idx.writeFile({ ...file('c.json', 3), events: [eventAt(3, { userIdentity: newcomer })] });
    idx.rollback();
    expect(idx.stats().events).toBe(2);
    expect(idx.fileState('c.json')).toBeUndefined();
    // The caller the rolled-back transaction created is not remembered: the next write stores it again.
    expect(idx.putStored([eventAt(3, { userIdentity: newcomer })]).inserted).toBe(1);
    expect(idx.callers().map((c) => c.principal.userName)).toContain('late');
    idx.close();
  });

  it('lets a reader query while a writer is inside its transaction (WAL)', () => {
    const path = join(dir, 'i.db');
    const writer = SqliteEventIndex.open(path);
    writer.putStored([eventAt(1)]);
    const reader = SqliteEventIndex.open(path, { readonly: true });
    const seen: number[] = [];
    const spy = {
      ...eventAt(3),
      get request() {
        // Runs inside the writer's open transaction, after event 2 went in (once or more).
        seen.push(reader.eventsByKeys([SG]).length);
        return {};
      },
    } as StoredEvent;
    writer.writeFiles([
      { path: 'f', size: 1, version: '1', mode: 'writes', errors: 0, events: [eventAt(2), spy] },
    ]);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([1]));
    expect(reader.eventsByKeys([SG])).toHaveLength(3);
    reader.close();
    writer.close();
  });

  it('keeps whole files only when the process is killed mid-transaction', async () => {
    const path = join(dir, 'i.db');
    const module = join(root, 'dist', 'src', 'index', 'sqlite.js');
    // A child process writes one file, then is killed (SIGKILL) in the middle of writing a second.
    const script = `
      const { SqliteEventIndex } = await import(${JSON.stringify(module)});
      const events = ${JSON.stringify([eventAt(1), eventAt(2), eventAt(3)])};
      const idx = SqliteEventIndex.open(${JSON.stringify(path)});
      idx.writeFiles([{ path: 'one', size: 1, version: '1', mode: 'writes', errors: 0, events: [events[0]] }]);
      const killer = { ...events[2], get request() { process.kill(process.pid, 'SIGKILL'); return {}; } };
      idx.writeFiles([{ path: 'two', size: 1, version: '1', mode: 'writes', errors: 0, events: [events[1], killer] }]);
    `;
    const child = run(process.execPath, ['--input-type=module', '-e', script]);
    await expect(child).rejects.toMatchObject({ signal: 'SIGKILL' });
    const idx = SqliteEventIndex.open(path, { readonly: true });
    expect(idx.fileState('one')?.events).toBe(1);
    expect(idx.fileState('two')).toBeUndefined();
    expect(idx.stats()).toMatchObject({ events: 1, files: 1 });
    expect(idx.eventsByKeys([SG])).toHaveLength(1);
    idx.close();
  });
});

/** Rows whose layout, caller or file is missing (the index does not have SQLite check them on each insert). */
function danglingRows(path: string): unknown[] {
  const raw = new Database(path, { readonly: true });
  try {
    return raw.pragma('foreign_key_check') as unknown[];
  } finally {
    raw.close();
  }
}

describe('indexing archives into SQLite', () => {
  it('indexes the example account, and skips unchanged files the next time', async () => {
    const db = join(dir, 'i.db');
    const first = await index([examples], db);
    expect(first.exitCode).toBe(0);
    expect(first.summary).toMatchObject({ files: 8, indexedFiles: 8, events: 24, kept: 14, inserted: 14 });
    const second = await index([examples], db);
    expect(second.summary).toMatchObject({ files: 8, indexedFiles: 0, unchangedFiles: 8, events: 0 });
    // --all needs the reads the first run left out: every file is read again.
    const all = await index([examples], db, true);
    expect(all.summary).toMatchObject({ indexedFiles: 8, kept: 24, inserted: 10, duplicates: 14 });
    expect((await index([examples], db, true)).summary.unchangedFiles).toBe(8);
    expect((await index([examples], db)).summary.unchangedFiles).toBe(8);
  });

  it('stores every layout, caller and file an event points at', async () => {
    const archive = join(dir, 'archive');
    cpSync(examples, archive, { recursive: true });
    writeFileSync(
      join(archive, 'more.json'),
      JSON.stringify({ Records: [record(), record({ eventID: 'x-2' })] }),
    );
    const db = join(dir, 'i.db');
    expect((await index([archive], db, true)).summary.inserted).toBe(26);
    expect(danglingRows(db)).toEqual([]);
  });

  it('reads a file again when its size or mtime changes', async () => {
    const archive = join(dir, 'archive');
    cpSync(examples, archive, { recursive: true });
    const db = join(dir, 'i.db');
    await index([archive], db);
    const file = join(
      archive,
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/18/111122223333_CloudTrail_eu-west-1_20261118T0935Z_x2aGykO7RBVvu3Hb.json.gz',
    );
    utimesSync(file, new Date(), new Date('2027-01-01T00:00:00Z'));
    const touched = await index([archive], db);
    expect(touched.summary).toMatchObject({ indexedFiles: 1, unchangedFiles: 7, inserted: 0 });
    // New content (a new event) under the same name: the file is read again and the event added.
    const extra = record({ eventID: '00000000-0000-4000-8000-00000000abcd' });
    writeFileSync(file, gzipSync(JSON.stringify({ Records: [extra] })));
    const grown = await index([archive], db);
    expect(grown.summary).toMatchObject({ indexedFiles: 1, inserted: 1 });
  });

  it('reports a truncated gzip and a file of invalid JSON, skips them and keeps the rest consistent', async () => {
    const archive = join(dir, 'archive');
    cpSync(examples, archive, { recursive: true });
    const good = gzipSync(JSON.stringify({ Records: [record()] }));
    writeFileSync(join(archive, 'truncated.json.gz'), good.subarray(0, good.length - 20));
    writeFileSync(join(archive, 'broken.json'), '{"Records": [');
    writeFileSync(
      join(archive, 'bad-record.json'),
      JSON.stringify({ Records: [record({ eventTime: 'never' }), record()] }),
    );
    const db = join(dir, 'i.db');
    const result = await index([archive], db);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/truncated\.json\.gz: truncated gzip data/);
    expect(result.stderr).toMatch(/broken\.json: invalid JSON/);
    expect(result.stderr).toMatch(/bad-record\.json, record 0, field eventTime/);
    expect(result.summary).toMatchObject({ files: 11, failedFiles: 2, indexedFiles: 9, kept: 15 });
    const idx = SqliteEventIndex.open(db, { readonly: true });
    expect(idx.fileState(join(archive, 'truncated.json.gz'))).toBeUndefined();
    expect(idx.fileState(join(archive, 'bad-record.json'))).toMatchObject({ events: 1, errors: 1 });
    idx.close();
    // Failed files are tried again (and reported again) by the next run; the others are skipped.
    const again = await index([archive], db);
    expect(again.summary).toMatchObject({ failedFiles: 2, unchangedFiles: 9, indexedFiles: 0 });
  });

  it('says so when there is nothing to read', async () => {
    const result = await index([join(dir, 'missing')], join(dir, 'i.db'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/missing: no such file or directory/);
  });

  it('lets queries run while an index run writes', async () => {
    const db = join(dir, 'i.db');
    const archive = join(dir, 'many');
    cpSync(examples, archive, { recursive: true });
    for (let f = 0; f < 20; f++) {
      const records = Array.from({ length: 50 }, (_, i) =>
        record({
          eventID: `00000000-0000-4000-8${String(f).padStart(3, '0')}-${String(i).padStart(12, '0')}`,
          eventTime: new Date(Date.parse('2026-11-19T00:00:00Z') + (f * 50 + i) * 1000).toISOString(),
        }),
      );
      writeFileSync(
        join(archive, `bulk-${String(f).padStart(2, '0')}.json`),
        JSON.stringify({ Records: records }),
      );
    }
    await index([examples], db);
    const reader = SqliteEventIndex.open(db, { readonly: true });
    const counts: number[] = [];
    const running = indexArchive(
      { sources: [archive], db, all: false, progress: false, maxErrors: 0, batchEvents: 500, batchMs: 0 },
      { stderr: quiet() },
    );
    let done = false;
    void running.finally(() => {
      done = true;
    });
    while (!done) {
      counts.push(reader.eventsByKeys([SG], { limit: 0 }).length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await running).exitCode).toBe(0);
    counts.push(reader.eventsByKeys([SG], { limit: 0 }).length);
    reader.close();
    expect(counts[0]).toBe(5);
    expect(counts.at(-1)).toBe(5 + 20 * 50);
    // The reader saw the index grow file by file, never a half-written file.
    expect(counts.some((n) => n > 5 && n < 5 + 20 * 50)).toBe(true);
    expect(counts.every((n) => (n - 5) % 50 === 0)).toBe(true);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(readFileSync(db).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('answers another process while `cloudblame index` writes, always with whole files', async () => {
    const db = join(dir, 'i.db');
    // Files named one by one: `index` commits a batch every 20,000 events, so the reader sees 0, 20,000, 24,000.
    const archive = join(dir, 'big');
    const files = 60;
    const perFile = 400;
    for (let f = 0; f < files; f++) {
      const records = Array.from({ length: perFile }, (_, i) =>
        record({
          eventID: `00000000-0000-4000-9${String(f).padStart(3, '0')}-${String(i).padStart(12, '0')}`,
          eventTime: new Date(Date.parse('2026-11-20T00:00:00Z') + (f * perFile + i) * 1000).toISOString(),
        }),
      );
      writeFileSync(
        `${archive}-${String(f).padStart(2, '0')}.json.gz`,
        gzipSync(JSON.stringify({ Records: records })),
      );
    }
    await index([examples], db);
    const reader = SqliteEventIndex.open(db, { readonly: true });
    const base = reader.stats().events;
    const cli = join(root, 'dist', 'src', 'cli', 'main.js');
    const sources = Array.from(
      { length: files },
      (_, f) => `${archive}-${String(f).padStart(2, '0')}.json.gz`,
    );
    const child = spawn(process.execPath, [cli, 'index', ...sources, '--db', db, '--no-progress'], {
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let running = true;
    void exited.then(() => {
      running = false;
    });
    const seen: number[] = [];
    while (running) {
      seen.push(reader.stats().events - base);
      await sleep(5);
    }
    expect(await exited).toBe(0);
    seen.push(reader.stats().events - base);
    reader.close();
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(files * perFile);
    // Every answer holds whole files, and the index only grows.
    expect(seen.every((n) => n % perFile === 0)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});
