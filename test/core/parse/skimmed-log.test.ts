import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/core/config/schema.js';
import { isIndexable, mayBeIndexable } from '../../../src/core/identifiers.js';
import type { TrailEvent } from '../../../src/core/model.js';
import {
  type CloudTrailParse,
  parseCloudTrailDocument,
  parseSkimmedTrailLog,
} from '../../../src/core/parse/cloudtrail.js';
import { isCompactTrailLog, recordSpans, type SkimPolicy } from '../../../src/core/parse/trail-skim.js';
import { resolveRuleSet } from '../../../src/core/rules/config.js';
import { RuleGate } from '../../../src/core/rules/gate.js';
import type { Rule } from '../../../src/core/rules/model.js';
import { apiCall } from '../../../src/core/rules/packs/common.js';
import { datasetsDir } from '../../helpers/dataset-records.js';
import { mulberry32 } from '../../helpers/prng.js';
import { skimRecord } from '../../helpers/skim.js';

type Json = Record<string, unknown>;

const fixturePath = new URL('../../fixtures/skim/log-file.json', import.meta.url).pathname;
const source = 'skim/log-file.json';
/** Every record parsed. */
const everything: SkimPolicy = { byTail: () => true };
/** Records that may have changed a resource, decided by a tail policy. */
const indexableTail: SkimPolicy = { byTail: (tail) => mayBeIndexable(tail) };
/** What `cloudblame index` passes (src/actions/index-archive.ts): every record but the reads. */
const writesOnly: SkimPolicy = { writesOnly: true };
/** The built-in rules, as replay runs them by default. */
const gate = new RuleGate(resolveRuleSet(defaultConfig().rules));
/** What replay asks for: records a rule may be about, and records that may have changed a resource. */
const replayNeeds: SkimPolicy = {
  byTail: (tail) => (mayBeIndexable(tail) ? true : undefined),
  byHead: (head) => gate.mayMatch(head),
};
/** Records after the first that `replayNeeds` leaves unparsed, decided on each whole envelope instead. */
function unneededByEnvelope(buf: Buffer): number {
  const spans = recordSpans(buf) ?? [];
  let unneeded = 0;
  for (let i = 2; i < spans.length; i += 2) {
    const envelope = skimRecord(buf, spans[i]!, spans[i + 1]!);
    if (envelope !== undefined && !gate.mayMatch(envelope.head) && !mayBeIndexable(envelope.tail))
      unneeded += 1;
  }
  return unneeded;
}

function fullParse(buf: Buffer, src: string): CloudTrailParse {
  return parseCloudTrailDocument(JSON.parse(buf.toString('utf8')), src);
}

function indexableIds(events: readonly TrailEvent[]): string[] {
  return events.filter(isIndexable).map((event) => event.eventId);
}

/** The events replay needs: those it indexes, and those a rule may be about. */
function replayIds(events: readonly TrailEvent[]): string[] {
  return events
    .filter((event) => isIndexable(event) || gate.rulesFor(event).rules.length > 0)
    .map((event) => event.eventId);
}

function eventIds(events: readonly TrailEvent[]): string[] {
  return events.map((event) => event.eventId);
}

const errorsOf = (parse: CloudTrailParse): { message: string; location: unknown }[] =>
  parse.errors.map((error) => ({ message: error.message, location: error.location }));

const account = '111122223333';

/** A record with the fields in the order CloudTrail writes them. */
function record(overrides: Json = {}): Json {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/maria`, accountId: account },
    eventTime: '2026-11-21T06:20:12Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateSecurityGroup',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.15.30',
    requestParameters: { groupName: 'payments-api-sg' },
    responseElements: null,
    requestID: 'req-1',
    eventID: 'write-1',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
    ...overrides,
  };
}

/** A record nested in a request, after a comma, that starts the way a record of the log does. */
const forgedRecord = {
  eventVersion: '1.08',
  userIdentity: { type: 'Root' },
  eventTime: '2026-11-21T06:20:12Z',
  eventSource: 'ssm.amazonaws.com',
  eventName: 'GetParameter',
  readOnly: true,
  eventCategory: 'Management',
};

describe('parseSkimmedTrailLog', () => {
  const fixture = readFileSync(fixturePath);

  it('is given a log file in the compact form (the fixture)', () => {
    expect(isCompactTrailLog(fixture)).toBe(true);
  });

  it('gives the events of the whole parse when every record is needed', () => {
    const skimmed = parseSkimmedTrailLog(fixture, source, everything);
    const full = fullParse(fixture, source);
    expect(skimmed?.events).toEqual(full.events);
    expect(skimmed?.skipped).toEqual(full.skipped);
    expect(skimmed?.records).toBe(
      (JSON.parse(fixture.toString('utf8')) as { Records: unknown[] }).Records.length,
    );
    expect(skimmed?.unparsed).toBe(0);
  });

  it('gives the errors of the whole parse, naming the same record', () => {
    const skimmed = parseSkimmedTrailLog(fixture, source, everything);
    const full = fullParse(fixture, source);
    expect(full.errors).toHaveLength(1);
    expect(full.errors[0]?.message).toContain('record 7');
    expect(full.errors[0]?.message).toContain('eventTime');
    expect(skimmed && errorsOf(skimmed)).toEqual(errorsOf(full));
  });

  for (const [name, policy] of [
    ['only those that may be are needed', indexableTail],
    ['only the writes are needed (as cloudblame index asks)', writesOnly],
  ] as const) {
    it(`keeps every indexable event when ${name}`, () => {
      const skimmed = parseSkimmedTrailLog(fixture, source, policy);
      const full = fullParse(fixture, source);
      expect(indexableIds(full.events).length).toBeGreaterThan(0);
      expect(eventIds(skimmed?.events ?? [])).toEqual(expect.arrayContaining(indexableIds(full.events)));
      expect(skimmed?.unparsed).toBeGreaterThan(0);
    });
  }

  it('keeps every event replay needs (indexable, or a rule may be about it) when replay asks', () => {
    const skimmed = parseSkimmedTrailLog(fixture, source, replayNeeds);
    const full = fullParse(fixture, source);
    const wanted = replayIds(full.events);
    // The fixture has an event wanted for the rules alone: a console sign-in (signin is not indexed).
    expect(wanted.filter((id) => !indexableIds(full.events).includes(id)).length).toBeGreaterThan(0);
    expect(eventIds(skimmed?.events ?? [])).toEqual(expect.arrayContaining(wanted));
    expect(skimmed?.unparsed).toBeGreaterThan(0);
  });

  it('accounts for every record: unparsed, parsed into an event, or an error', () => {
    const skimmed = parseSkimmedTrailLog(fixture, source, indexableTail);
    expect(skimmed).toBeDefined();
    if (skimmed === undefined) return;
    expect(skimmed.unparsed + skimmed.events.length + skimmed.errors.length).toBe(skimmed.records);
    const full = fullParse(fixture, source);
    expect(skimmed.records).toBe(full.events.length + full.errors.length);
  });

  it('falls back (undefined) on a write whose request holds a look-alike record after a comma', () => {
    const buf = Buffer.from(
      JSON.stringify({
        Records: [record({ requestParameters: { groupName: 'sg', items: [{}, forgedRecord] } })],
      }),
    );
    expect(isCompactTrailLog(buf)).toBe(true);
    expect(indexableIds(fullParse(buf, 'forged.json').events)).toEqual(['write-1']);
    expect(parseSkimmedTrailLog(buf, 'forged.json', indexableTail)).toBeUndefined();
    expect(parseSkimmedTrailLog(buf, 'forged.json', replayNeeds)).toBeUndefined();
  });

  it('neither throws nor loses a write on a read whose request holds a look-alike record', () => {
    const read = record({
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetParameter',
      eventID: 'read-1',
      readOnly: true,
      requestParameters: { name: '/p', items: [{}, forgedRecord] },
    });
    const buf = Buffer.from(JSON.stringify({ Records: [read, record()] }));
    const skimmed = parseSkimmedTrailLog(buf, 'forged.json', indexableTail);
    if (skimmed !== undefined) expect(eventIds(skimmed.events)).toContain('write-1');
  });

  it.each([
    ['{"readOnly":true}', { readOnly: true }],
    ['a nested "eventID" then "readOnly":true', { eventID: 'nested', readOnly: true }],
  ])('keeps a write without readOnly whose request holds %s', (_, options) => {
    const {
      readOnly: _readOnly,
      eventCategory: _category,
      ...older
    } = record({
      eventVersion: '1.02',
      eventSource: 'iam.amazonaws.com',
      eventName: 'DeleteUser',
      requestParameters: { userName: 'bob', options },
    });
    const buf = Buffer.from(JSON.stringify({ Records: [older] }));
    expect(indexableIds(fullParse(buf, 'older.json').events)).toEqual(['write-1']);
    const skimmed = parseSkimmedTrailLog(buf, 'older.json', indexableTail);
    if (skimmed !== undefined) expect(eventIds(skimmed.events)).toContain('write-1');
  });

  it('falls back on a write whose request holds {"readOnly":true} then a look-alike from sts', () => {
    const forged = { ...forgedRecord, eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' };
    const buf = Buffer.from(
      JSON.stringify({
        Records: [record({ requestParameters: { groupName: 'sg', items: [{ readOnly: true }, forged] } })],
      }),
    );
    expect(indexableIds(fullParse(buf, 'forged.json').events)).toEqual(['write-1']);
    const skimmed = parseSkimmedTrailLog(buf, 'forged.json', indexableTail);
    if (skimmed !== undefined) expect(eventIds(skimmed.events)).toContain('write-1');
  });

  it('falls back on a write whose request holds a nested eventID/readOnly pair then a look-alike', () => {
    const forged = { ...forgedRecord, eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' };
    const pair = { eventID: 'nested', readOnly: true, eventCategory: 'Data' };
    const buf = Buffer.from(
      JSON.stringify({
        Records: [record({ requestParameters: { groupName: 'sg', items: [pair, forged] } })],
      }),
    );
    expect(indexableIds(fullParse(buf, 'forged.json').events)).toEqual(['write-1']);
    const skimmed = parseSkimmedTrailLog(buf, 'forged.json', indexableTail);
    if (skimmed !== undefined) expect(eventIds(skimmed.events)).toContain('write-1');
  });

  /** A record re-serialised with its request before eventTime; the request holds a look-alike head. */
  function reordered(overrides: Json, lookAlike: Json): Json {
    const { eventTime, eventSource, eventName, requestParameters, ...rest } = record(overrides);
    const { eventVersion, userIdentity, ...tail } = rest;
    return {
      eventVersion,
      userIdentity,
      requestParameters: { ...(requestParameters as Json), a: { x: 1, ...lookAlike } },
      eventTime,
      eventSource,
      eventName,
      ...tail,
    };
  }

  const stsLookAlike = {
    eventTime: '2026-11-21T06:20:12Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
  };

  it('keeps a write whose eventTime follows a request holding a look-alike head (its tail is real)', () => {
    const buf = Buffer.from(JSON.stringify({ Records: [reordered({}, stsLookAlike)] }));
    expect(isCompactTrailLog(buf)).toBe(true);
    expect(indexableIds(fullParse(buf, 'reordered.json').events)).toEqual(['write-1']);
    // The head is read from the request (the accepted limit below), but the tail says readOnly:false.
    expect(skimRecord(buf, '{"Records":['.length, buf.length - 2)).toMatchObject({
      head: { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' },
      tail: { readOnly: false },
    });
    for (const isNeeded of [indexableTail, writesOnly, replayNeeds]) {
      const skimmed = parseSkimmedTrailLog(buf, 'reordered.json', isNeeded);
      if (skimmed !== undefined) expect(eventIds(skimmed.events)).toContain('write-1');
    }
  });

  // A file re-serialised in another key order is parsed whole (its first record's keys say so), so a
  // nested {"eventID":…,"readOnly":true} after the record's own eventID cannot pass for its tail.
  it('parses whole a reordered file whose request, after eventID, holds an eventID/readOnly:true pair', () => {
    const { requestParameters: _, ...rest } = record();
    const moved = { ...rest, requestParameters: { groupName: 'sg', tags: { eventID: 'x', readOnly: true } } };
    const buf = Buffer.from(JSON.stringify({ Records: [moved] }));
    expect(isCompactTrailLog(buf)).toBe(true);
    expect(indexableIds(fullParse(buf, 'reordered.json').events)).toEqual(['write-1']);
    for (const isNeeded of [indexableTail, writesOnly, replayNeeds]) {
      expect(parseSkimmedTrailLog(buf, 'reordered.json', isNeeded)).toBeUndefined();
    }
  });

  // The same for a look-alike head: in a reordered file it could be read from the request, and hide a
  // read from the rule about its real head; such a file is parsed whole.
  it('parses whole a reordered file whose look-alike head would hide a read from a rule', () => {
    const secretRead: Rule = {
      id: 'custom.secret-read',
      title: 'Production secret read',
      severity: 'high',
      description: 'A custom rule about a read.',
      pattern: apiCall('secretsmanager', ['GetSecretValue']),
    };
    const withCustom = new RuleGate({ rules: [secretRead], suppressions: [] });
    const read = reordered(
      {
        eventSource: 'secretsmanager.amazonaws.com',
        eventName: 'GetSecretValue',
        requestParameters: { secretId: 'prod/db' },
        eventID: 'read-1',
        readOnly: true,
      },
      stsLookAlike,
    );
    const buf = Buffer.from(JSON.stringify({ Records: [read] }));
    expect(isCompactTrailLog(buf)).toBe(true);
    const full = fullParse(buf, 'reordered.json');
    expect(full.events.map((event) => withCustom.rulesFor(event).rules.map((rule) => rule.id))).toEqual([
      ['custom.secret-read'],
    ]);
    expect(skimRecord(buf, '{"Records":['.length, buf.length - 2)).toMatchObject({
      head: { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' },
      tail: { readOnly: true },
    });
    const skimmed = parseSkimmedTrailLog(buf, 'reordered.json', {
      byTail: (tail) => (mayBeIndexable(tail) ? true : undefined),
      byHead: (head) => withCustom.mayMatch(head),
    });
    expect(skimmed).toBeUndefined();
  });
});

type RecordKind = 'read' | 'write' | 'dataRead' | 'dataWrite' | 'failedWrite' | 'sts' | 'older' | 'ruled';

/**
 * Every kind of record. `older`: without readOnly or eventCategory, whose readOnly the parse infers from
 * its name. `ruled`: a call the built-in rules are about, with readOnly true or false.
 */
const ALL_KINDS: readonly RecordKind[] = [
  'read',
  'write',
  'dataRead',
  'dataWrite',
  'failedWrite',
  'sts',
  'older',
  'ruled',
  'ruled',
];

/** Calls the built-in rules are about: `[eventSource, eventName]`. */
const RULED_CALLS: readonly (readonly [string, string])[] = [
  ['cloudtrail.amazonaws.com', 'StopLogging'],
  ['cloudtrail.amazonaws.com', 'DeleteTrail'],
  ['signin.amazonaws.com', 'ConsoleLogin'],
  ['s3.amazonaws.com', 'PutBucketPolicy'],
  ['iam.amazonaws.com', 'CreateAccessKey'],
  ['kms.amazonaws.com', 'ScheduleKeyDeletion'],
];

const IDENTITY_TYPES = ['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'FederatedUser'];

class RandomLog {
  readonly #next: () => number;

  public constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  public int(below: number): number {
    return Math.floor(this.#next() * below);
  }

  public pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  public chance(p: number): boolean {
    return this.#next() < p;
  }

  private static readonly KEYS = [
    'readOnly',
    'eventCategory',
    'eventName',
    'eventSource',
    'eventID',
    'userIdentity',
    'eventTime',
    'type',
    'name',
    'items',
    'Records',
    'value',
  ];

  private static readonly STRINGS = [
    '1.08',
    'Data',
    'Management',
    'Root',
    'sts.amazonaws.com',
    'GetParameter',
    'StopLogging',
    '2026-11-21T06:20:12Z',
    'a "quoted" value',
    '{"eventVersion":"1.08","readOnly":true}',
    '"eventID":"x","readOnly":true,',
    'café',
    '',
  ];

  public value(depth: number): unknown {
    const kind = this.int(depth >= 3 ? 5 : 8);
    switch (kind) {
      case 0:
        return true;
      case 1:
        return this.chance(0.5) ? false : null;
      case 2:
        return this.int(1000);
      case 3:
      case 4:
        return this.pick(RandomLog.STRINGS);
      case 5:
        return this.object(depth + 1);
      default:
        return Array.from({ length: this.int(4) }, () =>
          this.chance(0.7) ? this.object(depth + 1) : this.value(depth + 1),
        );
    }
  }

  public object(depth: number): Json {
    const out: Json = {};
    for (let i = this.int(5); i > 0; i -= 1) out[this.pick(RandomLog.KEYS)] = this.value(depth);
    return out;
  }

  /** A nested `"eventID":"…","readOnly":…` pair, as a record's tail starts. */
  public tailPair(): Json {
    return {
      eventID: 'nested',
      readOnly: this.chance(0.7),
      ...(this.chance(0.5) ? { eventCategory: this.pick(['Data', 'Management']) } : {}),
    };
  }

  /**
   * An object that starts like a record of the log: mostly with a head of the form the skim reads (which
   * may claim a call a rule is about), sometimes with only `eventVersion`.
   */
  public lookAlike(): Json {
    if (this.chance(0.2)) return { eventVersion: '1.08', ...this.object(2) };
    const [eventSource, eventName] = this.pick([
      ['sts.amazonaws.com', 'GetCallerIdentity'],
      ['ssm.amazonaws.com', 'GetParameter'],
      ['s3.amazonaws.com', 'GetObject'],
      ...RULED_CALLS,
    ]);
    return {
      eventVersion: this.pick(['1.08', '1.09']),
      userIdentity: { type: this.pick(IDENTITY_TYPES) },
      eventTime: '2026-11-21T06:20:12Z',
      eventSource,
      eventName,
      ...(this.chance(0.5) ? this.tailPair() : {}),
    };
  }

  /**
   * A caller's object (request, response, additional data): random, and sometimes with nested tails and
   * look-alike records after a comma.
   */
  public callerObject(depth: number): Json {
    const out = this.object(depth);
    if (this.chance(0.1)) out['options'] = this.tailPair();
    if (this.chance(0.04)) {
      const items: unknown[] = [this.chance(0.7) ? this.tailPair() : {}, this.lookAlike()];
      if (this.chance(0.3)) items.push(this.tailPair(), this.lookAlike());
      out['items'] = items;
    }
    return out;
  }

  public record(eventId: string): Json {
    const kind = this.pick(ALL_KINDS);
    const isData = kind === 'dataRead' || kind === 'dataWrite';
    const identityType = this.pick(IDENTITY_TYPES);
    const [eventSource, eventName] =
      kind === 'ruled'
        ? this.pick(RULED_CALLS)
        : [
            kind === 'sts'
              ? 'sts.amazonaws.com'
              : isData
                ? 's3.amazonaws.com'
                : this.pick(['ec2.amazonaws.com', 'iam.amazonaws.com', 'ssm.amazonaws.com']),
            this.pick(['CreateSecurityGroup', 'GetParameter', 'PutObject', 'AssumeRole', 'DeleteUser']),
          ];
    const signIn = eventName === 'ConsoleLogin';
    const out: Json = {
      eventVersion: this.pick(['1.05', '1.08', '1.09', '1.10']),
      userIdentity: {
        type: identityType,
        accountId: account,
        ...(this.chance(0.1) ? { invokedBy: 'cloudformation.amazonaws.com' } : {}),
        ...(this.chance(0.3) ? { sessionContext: { attributes: { mfaAuthenticated: 'false' } } } : {}),
      },
      eventTime: `2026-11-21T06:${String(this.int(60)).padStart(2, '0')}:12Z`,
      eventSource,
      eventName,
      awsRegion: 'eu-west-1',
      sourceIPAddress: '198.51.100.23',
      userAgent: this.pick(['aws-cli/2.15.30', 'Mozilla/5.0 "quoted"', 'console.amazonaws.com']),
    };
    if (kind === 'failedWrite' || (kind === 'ruled' && this.chance(0.2))) {
      out['errorCode'] = 'AccessDenied';
      out['errorMessage'] = 'not authorized';
    }
    out['requestParameters'] = this.chance(0.15) ? null : this.callerObject(0);
    out['responseElements'] = signIn
      ? { ConsoleLogin: this.pick(['Success', 'Failure']) }
      : this.chance(0.5)
        ? null
        : this.callerObject(1);
    if (signIn) out['additionalEventData'] = { MFAUsed: this.pick(['Yes', 'No']), LoginTo: 'console' };
    else if (this.chance(0.2)) out['additionalEventData'] = this.callerObject(1);
    out['requestID'] = `req-${eventId}`;
    out['eventID'] = eventId;
    if (kind !== 'older') {
      out['readOnly'] = kind === 'read' || kind === 'dataRead' || this.chance(kind === 'ruled' ? 0.5 : 0.1);
    }
    if (this.chance(0.3))
      out['resources'] = [{ accountId: account, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::b' }];
    out['eventType'] = signIn
      ? 'AwsConsoleSignIn'
      : identityType === 'AWSService' && this.chance(0.5)
        ? 'AwsServiceEvent'
        : 'AwsApiCall';
    out['managementEvent'] = !isData;
    out['recipientAccountId'] = account;
    if (kind !== 'older') out['eventCategory'] = isData ? 'Data' : 'Management';
    if (this.chance(0.5)) out['tlsDetails'] = { tlsVersion: 'TLSv1.3' };
    return out;
  }
}

describe('parseSkimmedTrailLog on random log files', () => {
  it('either falls back or keeps every event replay needs: indexable, or a rule may be about it', () => {
    const random = new RandomLog(0x5eed);
    let skimmedFiles = 0;
    let fellBack = 0;
    let wantedForRules = 0;
    let wantedForIndex = 0;
    let unparsed = 0;
    let splitButSkimmed = 0;
    let writesSkimmed = 0;
    for (let file = 0; file < 500; file += 1) {
      const records = Array.from({ length: 1 + random.int(20) }, (_, i) => random.record(`evt-${file}-${i}`));
      const buf = Buffer.from(JSON.stringify({ Records: records }));
      const src = `random-${file}.json`;
      const full = fullParse(buf, src);
      const skimmed = parseSkimmedTrailLog(buf, src, replayNeeds);
      // What cloudblame index asks for keeps every indexable event too, or falls back (its own way: it
      // parses other pieces of a split record than replay does).
      const writes = parseSkimmedTrailLog(buf, src, writesOnly);
      if (writes !== undefined) {
        writesSkimmed += 1;
        expect(eventIds(writes.events), `file ${file}`).toEqual(
          expect.arrayContaining(indexableIds(full.events)),
        );
      }
      if (skimmed === undefined) {
        fellBack += 1;
        continue;
      }
      // The policy (tail first, then head) and a test of the whole envelope decide alike.
      expect(skimmed.unparsed, `file ${file}`).toBe(unneededByEnvelope(buf));
      skimmedFiles += 1;
      unparsed += skimmed.unparsed;
      // A look-alike record split a record in two, and the file was still skimmed.
      if (skimmed.records > records.length) splitButSkimmed += 1;
      const wanted = replayIds(full.events);
      const indexable = indexableIds(full.events);
      wantedForIndex += indexable.length;
      wantedForRules += wanted.length - indexable.length;
      const kept = eventIds(skimmed.events);
      expect(kept, `file ${file}`).toEqual(expect.arrayContaining(wanted));
      // And nothing but the file's own events.
      expect(eventIds(full.events), `file ${file}`).toEqual(expect.arrayContaining(kept));
    }
    // Both paths are exercised, and the property is not vacuous on either side.
    expect(skimmedFiles).toBeGreaterThan(200);
    expect(writesSkimmed).toBeGreaterThan(200);
    expect(fellBack).toBeGreaterThan(100);
    expect(wantedForIndex).toBeGreaterThan(500);
    expect(wantedForRules).toBeGreaterThan(500);
    expect(unparsed).toBeGreaterThan(500);
    expect(splitButSkimmed).toBeGreaterThan(0);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The CloudTrail log files of the public data sets that are in the compact form. */
function datasetLogs(): { file: string; buf: Buffer }[] {
  return filesUnder(datasetsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, buf: readFileSync(file) }))
    .filter(({ buf }) => isCompactTrailLog(buf));
}

describe('parseSkimmedTrailLog over the public data sets', () => {
  const invictus = join(datasetsDir, 'invictus-ir-aws-dataset', 'CloudTrail');

  it.skipIf(!existsSync(invictus))(
    'keeps every indexable event of the whole parse (../shared/datasets; skipped when absent)',
    () => {
      const logs = datasetLogs();
      expect(logs.length).toBeGreaterThan(0);
      let unparsed = 0;
      let indexable = 0;
      for (const { file, buf } of logs) {
        const skimmed = parseSkimmedTrailLog(buf, file, indexableTail);
        if (skimmed === undefined) continue;
        const wanted = indexableIds(fullParse(buf, file).events);
        expect(eventIds(skimmed.events), file).toEqual(expect.arrayContaining(wanted));
        const writes = parseSkimmedTrailLog(buf, file, writesOnly);
        expect(eventIds(writes?.events ?? []), file).toEqual(expect.arrayContaining(wanted));
        unparsed += skimmed.unparsed;
        indexable += wanted.length;
      }
      expect(unparsed).toBeGreaterThan(0);
      expect(indexable).toBeGreaterThan(0);
    },
  );

  it.skipIf(!existsSync(invictus))(
    'keeps every event replay needs: indexable, or a rule may be about it (../shared/datasets; skipped when absent)',
    () => {
      const logs = datasetLogs();
      expect(logs.length).toBeGreaterThan(0);
      let unparsed = 0;
      let wantedForRules = 0;
      for (const { file, buf } of logs) {
        const skimmed = parseSkimmedTrailLog(buf, file, replayNeeds);
        if (skimmed === undefined) continue;
        const full = fullParse(buf, file);
        const wanted = replayIds(full.events);
        expect(eventIds(skimmed.events), file).toEqual(expect.arrayContaining(wanted));
        unparsed += skimmed.unparsed;
        wantedForRules += wanted.length - indexableIds(full.events).length;
      }
      expect(unparsed).toBeGreaterThan(0);
      expect(wantedForRules).toBeGreaterThan(0);
    },
  );

  it.skipIf(!existsSync(invictus))(
    'gives the whole parse when every record is needed (../shared/datasets; skipped when absent)',
    () => {
      const logs = datasetLogs();
      expect(logs.length).toBeGreaterThan(0);
      for (const { file, buf } of logs) {
        const skimmed = parseSkimmedTrailLog(buf, file, everything);
        const full = fullParse(buf, file);
        expect(skimmed, file).toBeDefined();
        expect(skimmed?.events, file).toEqual(full.events);
        expect(skimmed && errorsOf(skimmed), file).toEqual(errorsOf(full));
      }
    },
  );
});
