import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOfLog } from '../../src/actions/index-archive.js';
import { buildIndex } from '../helpers/cloudblame-index.js';

const FIXTURE = new URL('../fixtures/skim/log-file.json', import.meta.url);
const log = readFileSync(FIXTURE);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudblame-index-skim-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Indexes `files` (name → text) in a folder of their own; the index's events by id and the summary. */
async function indexFiles(name: string, files: Record<string, string | Buffer>) {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  const built = await buildIndex([root]);
  const raw = new Database(built.db, { readonly: true });
  try {
    const rows = raw.prepare('SELECT event_id FROM events ORDER BY event_id').all() as { event_id: string }[];
    return { summary: built.summary, ids: rows.map((row) => row.event_id) };
  } finally {
    raw.close();
    built.remove();
  }
}

describe('eventsOfLog', () => {
  it('counts the reads without parsing them and parses the rest, failed calls not kept', () => {
    const events = eventsOfLog({ source: 'log-file.json', log, bytes: log.length });
    const whole = JSON.parse(log.toString('utf8')) as {
      Records: { readOnly?: boolean; errorCode?: string }[];
    };
    const reads = whole.Records.filter((record) => record.readOnly === true).length;
    expect(events?.kind).toBe('cloudtrail');
    expect(events?.notKept).toBeGreaterThanOrEqual(reads);
    expect(events?.events.some((event) => event.readOnly)).toBe(false);
    expect(events?.events.some((event) => event.errorCode !== undefined)).toBe(false);
    // The bad record (an eventTime that is not a time) is a read: not parsed, so not reported, as when
    // the whole file is parsed (the index never looks into the reads it does not keep).
    expect(events?.errors).toEqual([]);
  });

  it('gives up on a file a look-alike record splits, for the caller to parse it whole', () => {
    const text = log
      .toString('utf8')
      .replace(
        '"requestParameters":{"groupName"',
        '"requestParameters":{"items":[{},{"eventVersion":"1.08","userIdentity":{"type":"Root"}}],"groupName"',
      );
    expect(text).not.toBe(log.toString('utf8'));
    expect(eventsOfLog({ source: 'split.json', log: Buffer.from(text), bytes: text.length })).toBeUndefined();
  });
});

describe('cloudblame index of CloudTrail log files', () => {
  it('keeps the same events whether it skims a file or parses it whole', async () => {
    const compact = await indexFiles('compact', { 'log.json': log });
    const whole = JSON.stringify(JSON.parse(log.toString('utf8')), null, 2);
    const pretty = await indexFiles('pretty', { 'log.json': whole });
    expect(compact.ids.length).toBeGreaterThan(0);
    expect(compact.ids).toEqual(pretty.ids);
    expect(compact.summary.events).toBe(pretty.summary.events);
    expect(compact.summary.errors).toBe(pretty.summary.errors);
    expect(compact.summary.kept).toBe(pretty.summary.kept);
  });

  it('indexes the write of a file whose request holds a look-alike record', async () => {
    const text = log
      .toString('utf8')
      .replace(
        '"requestParameters":{"groupName"',
        '"requestParameters":{"items":[{"readOnly":true},{"eventVersion":"1.08","userIdentity":{"type":"Root"},"eventTime":"2026-11-21T06:20:12Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","eventID":"x","readOnly":true}],"groupName"',
      );
    const forged = await indexFiles('forged', { 'log.json': text });
    const plain = await indexFiles('plain', { 'log.json': log });
    expect(forged.ids).toEqual(plain.ids);
  });
});
