import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/core/model.js';
import { parseJson } from '../../../src/core/parse/shape.js';
import { IdentityInterner, isSharedIdentity } from '../../../src/core/parse/trail-identities.js';

const ROLE_IDENTITY = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLE:terraform',
  arn: 'arn:aws:sts::111122223333:assumed-role/deploy/terraform',
  accountId: '111122223333',
  accessKeyId: 'ASIAEXAMPLE',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLE',
      arn: 'arn:aws:iam::111122223333:role/deploy',
      accountId: '111122223333',
      userName: 'deploy',
    },
    attributes: { creationDate: '2026-11-18T08:55:00Z', mfaAuthenticated: 'false' },
  },
};

const USER_IDENTITY = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLE',
  arn: 'arn:aws:iam::111122223333:user/bob',
  accountId: '111122223333',
  userName: 'bob',
};

/** The text of a compact CloudTrail record, keys in CloudTrail's order. */
function recordText(userIdentity: unknown = ROLE_IDENTITY, n = 1, extra: JsonObject = {}): string {
  return JSON.stringify({
    eventVersion: '1.11',
    userIdentity,
    eventTime: '2026-11-18T09:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: [{ fromPort: 22 }] } },
    responseElements: { _return: true },
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: false,
    recipientAccountId: '111122223333',
    ...extra,
  });
}

/** Parses the whole of `text`, as its own buffer. */
function parseText(interner: IdentityInterner, text: string) {
  const buf = Buffer.from(text);
  return interner.parse(buf, 0, buf.length);
}

function recordOf(result: ReturnType<IdentityInterner['parse']>): JsonObject {
  if (!result.ok) throw new Error(`not parsed: ${result.reason}`);
  return result.value as JsonObject;
}

function identityOf(result: ReturnType<IdentityInterner['parse']>): JsonObject {
  return recordOf(result)['userIdentity'] as JsonObject;
}

/** Every object's keys, depth first: equal lists mean the same keys in the same order everywhere. */
function keyOrder(value: unknown, out: string[][] = []): string[][] {
  if (typeof value === 'object' && value !== null) {
    if (!Array.isArray(value)) out.push(Object.keys(value));
    for (const child of Object.values(value)) keyOrder(child, out);
  }
  return out;
}

/** The result is exactly what `JSON.parse` gives: values, and keys in their order at every level. */
function expectSameAsJsonParse(result: ReturnType<IdentityInterner['parse']>, text: string): void {
  const expected: unknown = JSON.parse(text);
  const value = recordOf(result);
  expect(value).toStrictEqual(expected);
  expect(Object.keys(value)).toEqual(Object.keys(expected as JsonObject));
  expect(keyOrder(value)).toEqual(keyOrder(expected));
}

/** The result is `JSON.parse`'s, and its userIdentity is not a shared one. */
function expectFallback(interner: IdentityInterner, text: string): void {
  const result = parseText(interner, text);
  expectSameAsJsonParse(result, text);
  const identity = recordOf(result)['userIdentity'];
  if (typeof identity === 'object' && identity !== null) {
    expect(isSharedIdentity(identity as JsonObject)).toBe(false);
  }
}

describe('IdentityInterner.parse: normal records', () => {
  it('gives what JSON.parse gives, keys in the same order', () => {
    const text = recordText();
    expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
  });

  it('gives what JSON.parse gives for a record with an empty userIdentity', () => {
    const text = recordText({});
    expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
  });

  it('gives what JSON.parse gives for a record holding escapes and look-alike text in strings', () => {
    // Each string is escaped in the bytes: `\"`, `\\` before a closing quote, a `}` and the end pattern.
    const identity = { ...USER_IDENTITY, userName: '},"eventTime":"x', principalId: 'a\\', path: 'b"}' };
    const text = recordText(identity, 1, { errorMessage: '},"eventTime":"x', userAgent: 'a\nb\u0001' });
    const result = parseText(new IdentityInterner(), text);
    expectSameAsJsonParse(result, text);
    expect(isSharedIdentity(identityOf(result))).toBe(true);
  });

  it('gives the same userIdentity object to two records with the same userIdentity text', () => {
    const interner = new IdentityInterner();
    const first = identityOf(parseText(interner, recordText(ROLE_IDENTITY, 1)));
    const second = identityOf(parseText(interner, recordText(ROLE_IDENTITY, 2)));
    expect(second).toBe(first);
    expect(isSharedIdentity(first)).toBe(true);
  });

  it('gives different objects to userIdentity texts that differ', () => {
    const interner = new IdentityInterner();
    const role = identityOf(parseText(interner, recordText(ROLE_IDENTITY)));
    const user = identityOf(parseText(interner, recordText(USER_IDENTITY)));
    expect(user).not.toBe(role);
    expect(user).toStrictEqual(USER_IDENTITY);
    expect(role).toStrictEqual(ROLE_IDENTITY);
  });

  it('tells apart blocks of one length that differ in a single byte, wherever it is', () => {
    // Blocks are found by a sample of their bytes: most of these differ only between the samples.
    const interner = new IdentityInterner();
    const base = 'x'.repeat(60);
    const names = [...Array(base.length).keys()].map((at) => `${base.slice(0, at)}y${base.slice(at + 1)}`);
    const first = names.map((userName) =>
      identityOf(parseText(interner, recordText({ ...USER_IDENTITY, userName }))),
    );
    names.forEach((userName, i) => {
      expect(first[i]).toStrictEqual({ ...USER_IDENTITY, userName });
      // Again, now that all are known (past 16 blocks under one sample, a block is parsed each time).
      const again = identityOf(parseText(interner, recordText({ ...USER_IDENTITY, userName })));
      expect(again).toStrictEqual({ ...USER_IDENTITY, userName });
    });
  });

  it('does not share between texts that differ only in key order, though their values are equal', () => {
    const interner = new IdentityInterner();
    const { userName, ...others } = USER_IDENTITY;
    const reordered = { userName, ...others };
    const a = parseText(interner, recordText(USER_IDENTITY));
    const b = parseText(interner, recordText(reordered));
    expect(identityOf(b)).not.toBe(identityOf(a));
    expect(Object.keys(identityOf(b))).toEqual(Object.keys(reordered));
  });

  it('gives each record its own top-level object and other fields', () => {
    const interner = new IdentityInterner();
    const a = recordOf(parseText(interner, recordText(ROLE_IDENTITY, 1)));
    const b = recordOf(parseText(interner, recordText(ROLE_IDENTITY, 2)));
    expect(b).not.toBe(a);
    expect(b['requestParameters']).not.toBe(a['requestParameters']);
    expect(b['eventID']).not.toBe(a['eventID']);
  });

  it('freezes the shared userIdentity deeply', () => {
    const identity = identityOf(parseText(new IdentityInterner(), recordText(ROLE_IDENTITY)));
    const context = identity['sessionContext'] as JsonObject;
    expect(Object.isFrozen(identity)).toBe(true);
    expect(Object.isFrozen(context)).toBe(true);
    expect(Object.isFrozen(context['sessionIssuer'])).toBe(true);
    expect(Object.isFrozen(context['attributes'])).toBe(true);
    expect(() => {
      identity['arn'] = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (context['attributes'] as JsonObject)['mfaAuthenticated'] = 'true';
    }).toThrow(TypeError);
  });

  it('freezes arrays inside the shared userIdentity too', () => {
    const identity = identityOf(
      parseText(new IdentityInterner(), recordText({ ...USER_IDENTITY, tags: [{ k: 'v' }] })),
    );
    const tags = identity['tags'] as JsonObject[];
    expect(Object.isFrozen(tags)).toBe(true);
    expect(Object.isFrozen(tags[0])).toBe(true);
  });

  it('leaves the rest of the record unfrozen', () => {
    const record = recordOf(parseText(new IdentityInterner(), recordText()));
    expect(Object.isFrozen(record)).toBe(false);
    expect(Object.isFrozen(record['requestParameters'])).toBe(false);
    record['extra'] = 1;
    expect(record['extra']).toBe(1);
  });

  it('parses a record at an offset within a larger buffer, reading only its bytes', () => {
    const interner = new IdentityInterner();
    const first = recordText(ROLE_IDENTITY, 1);
    const second = recordText(ROLE_IDENTITY, 2);
    const buf = Buffer.from(`{"Records":[${first},${second}]}`);
    const start = buf.indexOf(second);
    const result = interner.parse(buf, start, start + Buffer.byteLength(second));
    expectSameAsJsonParse(result, second);
    expect(isSharedIdentity(identityOf(result))).toBe(true);
  });

  it('shares the userIdentity of records at different offsets of one buffer', () => {
    const interner = new IdentityInterner();
    const texts = [1, 2, 3].map((n) => recordText(ROLE_IDENTITY, n));
    const buf = Buffer.from(`{"Records":[${texts.join(',')}]}`);
    let from = 0;
    const identities = texts.map((text) => {
      const start = buf.indexOf(text, from);
      from = start + text.length;
      const result = interner.parse(buf, start, from);
      expectSameAsJsonParse(result, text);
      return identityOf(result);
    });
    expect(identities[1]).toBe(identities[0]);
    expect(identities[2]).toBe(identities[0]);
  });

  it('stays right past the number of distinct userIdentity blocks it keeps', () => {
    const interner = new IdentityInterner();
    const text = (n: number) => recordText({ ...USER_IDENTITY, principalId: `AIDA${n}` }, n);
    for (let n = 0; n < 10_050; n += 1) {
      const result = parseText(interner, text(n));
      expect(identityOf(result)['principalId']).toBe(`AIDA${n}`);
    }
    const again = identityOf(parseText(interner, text(10_049)));
    expect(identityOf(parseText(interner, text(10_049)))).toBe(again);
    expectSameAsJsonParse(parseText(interner, text(3)), text(3));
  });
});

describe('IdentityInterner.parse: non-ASCII text', () => {
  const accented = { ...USER_IDENTITY, userName: 'rené', arn: 'arn:aws:iam::111122223333:user/日本' };

  it('gives what JSON.parse gives when userIdentity holds multibyte characters', () => {
    const text = recordText(accented);
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
    expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
  });

  it('gives what JSON.parse gives when the rest of the record holds multibyte characters', () => {
    const text = recordText(USER_IDENTITY, 1, {
      userAgent: 'クライアント/1.0 é',
      requestParameters: { 名: '値' },
    });
    expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
  });

  it('gives what JSON.parse gives for a multibyte record at an offset within a larger buffer', () => {
    const text = recordText(accented, 2, { userAgent: '日本' });
    const buf = Buffer.from(`{"Records":[${recordText(accented, 1)},${text}]}`);
    const start = buf.indexOf(Buffer.from(text));
    expectSameAsJsonParse(new IdentityInterner().parse(buf, start, start + Buffer.byteLength(text)), text);
  });

  it('never shares between userIdentity texts that differ only in a multibyte character', () => {
    const interner = new IdentityInterner();
    const acute = identityOf(parseText(interner, recordText({ ...USER_IDENTITY, userName: 'é' })));
    const grave = identityOf(parseText(interner, recordText({ ...USER_IDENTITY, userName: 'è' })));
    expect(grave).not.toBe(acute);
    expect(acute['userName']).toBe('é');
    expect(grave['userName']).toBe('è');
  });
});

describe('IdentityInterner.parse: records it parses whole', () => {
  it('parses whole a record whose userIdentity has a nested object followed by a key eventTime', () => {
    const text =
      '{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","sessionContext":{"x":{}},' +
      '"eventTime":"2026-11-18T08:00:00Z","arn":"a"},"eventTime":"2026-11-18T09:00:00Z","eventName":"E"}';
    expectFallback(new IdentityInterner(), text);
    const identity = (JSON.parse(text) as JsonObject)['userIdentity'] as JsonObject;
    expect(identity['eventTime']).toBe('2026-11-18T08:00:00Z');
  });

  it('parses whole a record whose userIdentity ends with a nested object then eventTime', () => {
    const text =
      '{"eventVersion":"1.11","userIdentity":{"sessionContext":{"attributes":{}},"eventTime":"x"},' +
      '"eventTime":"2026-11-18T09:00:00Z"}';
    expectFallback(new IdentityInterner(), text);
  });

  it('parses whole a record with a second top-level userIdentity key later', () => {
    const text = recordText(ROLE_IDENTITY, 1, { userIdentity: 'later' }).replace(
      /}$/,
      `,"userIdentity":${JSON.stringify(USER_IDENTITY)}}`,
    );
    const interner = new IdentityInterner();
    parseText(interner, recordText(ROLE_IDENTITY));
    expectFallback(interner, text);
    expect(identityOf(parseText(interner, text))).toStrictEqual(USER_IDENTITY);
  });

  it('parses whole a record with a second top-level userIdentity that is a string', () => {
    const text = recordText(ROLE_IDENTITY).replace(/}$/, ',"userIdentity":"x"}');
    const result = parseText(new IdentityInterner(), text);
    expectSameAsJsonParse(result, text);
    expect(recordOf(result)['userIdentity']).toBe('x');
  });

  // The record is parsed with a placeholder in place of userIdentity: a later duplicate must not pass for
  // it (JSON.parse keeps the last value), whatever simple value it has.
  it('parses whole a record with a second top-level userIdentity that is 0', () => {
    const text = recordText(ROLE_IDENTITY).replace(/}$/, ',"userIdentity":0}');
    const result = parseText(new IdentityInterner(), text);
    expect(recordOf(result)['userIdentity']).toBe(0);
  });

  it('parses whole a record not starting with eventVersion', () => {
    const text = JSON.stringify({ userIdentity: ROLE_IDENTITY, eventVersion: '1.11', eventTime: 't' });
    expectFallback(new IdentityInterner(), text);
  });

  it('parses whole a record whose userIdentity does not follow eventVersion', () => {
    const text = JSON.stringify({ eventVersion: '1.11', eventTime: 't', userIdentity: ROLE_IDENTITY });
    expectFallback(new IdentityInterner(), text);
  });

  it('parses whole a record whose userIdentity is not followed by eventTime', () => {
    const text = JSON.stringify({ eventVersion: '1.11', userIdentity: ROLE_IDENTITY, eventName: 'E' });
    expectFallback(new IdentityInterner(), text);
  });

  it('parses whole a record with whitespace between its tokens', () => {
    const text = JSON.stringify(JSON.parse(recordText()), null, 2);
    expectFallback(new IdentityInterner(), text);
  });

  it('parses whole a record with an overlong eventVersion', () => {
    const text = recordText(ROLE_IDENTITY, 1, { eventVersion: '1.11111111111111111111' });
    expectFallback(new IdentityInterner(), text);
  });

  it('parses whole a record whose userIdentity is a string', () => {
    const text = recordText('x');
    expectFallback(new IdentityInterner(), text);
    expect(recordOf(parseText(new IdentityInterner(), text))['userIdentity']).toBe('x');
  });

  it('parses whole a record whose userIdentity is null, an array or a number', () => {
    for (const identity of [null, [ROLE_IDENTITY], 0, 1]) {
      const text = recordText(identity);
      expectFallback(new IdentityInterner(), text);
    }
  });

  it('does not look past the end of the record for the end of its userIdentity', () => {
    const interner = new IdentityInterner();
    const first = JSON.stringify({ eventVersion: '1.11', userIdentity: USER_IDENTITY, eventName: 'E' });
    const second = recordText(USER_IDENTITY, 2);
    const buf = Buffer.from(`${first}${second}`);
    const result = interner.parse(buf, 0, Buffer.byteLength(first));
    expectSameAsJsonParse(result, first);
    expect(isSharedIdentity(identityOf(result))).toBe(false);
  });

  it('parses the next record normally after one it parsed whole', () => {
    const interner = new IdentityInterner();
    expectFallback(interner, recordText('x'));
    const text = recordText(ROLE_IDENTITY);
    const result = parseText(interner, text);
    expectSameAsJsonParse(result, text);
    expect(isSharedIdentity(identityOf(result))).toBe(true);
  });
});

/** `text` with `insertion` put just before the first `,"requestParameters":`. */
function beforeRequest(text: string, insertion: string): string {
  const at = text.indexOf(',"requestParameters":');
  if (at < 0) throw new Error('no requestParameters');
  return `${text.slice(0, at)}${insertion}${text.slice(at)}`;
}

/** `text` with `insertion` put just before its last `}`. */
function atEnd(text: string, insertion: string): string {
  return `${text.slice(0, -1)}${insertion}}`;
}

describe('IdentityInterner.parse: the fields between eventTime and requestParameters', () => {
  it('gives what JSON.parse gives for records of one caller that differ elsewhere', () => {
    const interner = new IdentityInterner();
    for (let n = 1; n <= 3; n += 1) {
      const text = recordText(ROLE_IDENTITY, n, { requestParameters: { n } });
      expectSameAsJsonParse(parseText(interner, text), text);
    }
  });

  it('gives what JSON.parse gives for records with the same fields and another userIdentity', () => {
    const interner = new IdentityInterner();
    for (const identity of [ROLE_IDENTITY, USER_IDENTITY, ROLE_IDENTITY]) {
      const text = recordText(identity);
      expectSameAsJsonParse(parseText(interner, text), text);
    }
  });

  it('gives what JSON.parse gives for records with the same userIdentity and other fields', () => {
    const interner = new IdentityInterner();
    for (const userAgent of ['a', 'b', 'a']) {
      const text = recordText(ROLE_IDENTITY, 1, { userAgent });
      expectSameAsJsonParse(parseText(interner, text), text);
    }
  });

  it('gives what JSON.parse gives for a record without requestParameters', () => {
    const { requestParameters: _, ...rest } = JSON.parse(recordText()) as JsonObject;
    const text = JSON.stringify(rest);
    expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
  });

  it('gives what JSON.parse gives for a record whose eventTime is its last key', () => {
    const text = `{"eventVersion":"1.11","userIdentity":${JSON.stringify(USER_IDENTITY)},"eventTime":"2026-11-18T09:00:00Z"}`;
    const result = parseText(new IdentityInterner(), text);
    expectSameAsJsonParse(result, text);
    expect(isSharedIdentity(identityOf(result))).toBe(true);
  });

  it('gives what JSON.parse gives for an eventTime holding escaped quotes and the fields pattern', () => {
    const text = recordText(ROLE_IDENTITY, 1, { eventTime: 'T","eventSource":"x' });
    expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
  });

  it('gives what JSON.parse gives for a field value holding the requestParameters pattern', () => {
    const text = recordText(ROLE_IDENTITY, 1, { userAgent: 'x,"requestParameters":{}' });
    expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
  });

  it('gives what JSON.parse gives for values that are not strings among the fields', () => {
    for (const value of ['null', 'true', '12', '{}', '[]', '""']) {
      const text = beforeRequest(recordText(), `,"extra":${value}`);
      expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
    }
  });

  it('gives what JSON.parse gives for a key written twice among the fields', () => {
    const text = beforeRequest(recordText(), ',"eventSource":"iam.amazonaws.com"');
    const result = parseText(new IdentityInterner(), text);
    expectSameAsJsonParse(result, text);
    expect(recordOf(result)['eventSource']).toBe('iam.amazonaws.com');
  });

  it('gives what JSON.parse gives for a key of the fields written again after them', () => {
    const text = atEnd(recordText(), ',"eventName":"Later"');
    const result = parseText(new IdentityInterner(), text);
    expectSameAsJsonParse(result, text);
    expect(recordOf(result)['eventName']).toBe('Later');
  });

  it('gives what JSON.parse gives for a key of the fields written again later as 0', () => {
    const text = atEnd(recordText(), ',"eventName":0');
    const result = parseText(new IdentityInterner(), text);
    expectSameAsJsonParse(result, text);
    expect(recordOf(result)['eventName']).toBe(0);
  });

  it('gives what JSON.parse gives for eventTime or eventVersion written again among the fields', () => {
    for (const insertion of [',"eventTime":"later"', ',"eventVersion":"2"']) {
      const text = beforeRequest(recordText(), insertion);
      expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
    }
  });

  it('gives what JSON.parse gives for userIdentity written again among the fields', () => {
    const text = beforeRequest(recordText(), ',"userIdentity":"u"');
    const result = parseText(new IdentityInterner(), text);
    expectSameAsJsonParse(result, text);
    expect(recordOf(result)['userIdentity']).toBe('u');
  });

  it('gives what JSON.parse gives for a key named __proto__ among the fields', () => {
    const text = beforeRequest(recordText(), ',"__proto__":"p"');
    const result = parseText(new IdentityInterner(), text);
    expectSameAsJsonParse(result, text);
    expect(Object.getPrototypeOf(recordOf(result))).toBe(Object.prototype);
  });

  it('gives what JSON.parse gives for fields holding multibyte characters and escapes', () => {
    const text = recordText(ROLE_IDENTITY, 1, { userAgent: '日本 é \\ "q" \u0001', awsRegion: '' });
    expectSameAsJsonParse(parseText(new IdentityInterner(), text), text);
  });
});

describe('IdentityInterner.parse: malformed records', () => {
  const malformed: [string, string][] = [
    ['truncated after userIdentity', recordText().slice(0, recordText().indexOf('"eventSource"') + 5)],
    ['truncated inside userIdentity', recordText().slice(0, 60)],
    [
      'a trailing comma inside userIdentity',
      '{"eventVersion":"1.11","userIdentity":{"type":"Root",},"eventTime":"2026-11-18T09:00:00Z"}',
    ],
    [
      'a bad token after userIdentity',
      '{"eventVersion":"1.11","userIdentity":{"type":"Root"},"eventTime":"2026-11-18T09:00:00Z",x}',
    ],
    [
      'an escaped quote ending eventVersion',
      '{"eventVersion":"1\\","userIdentity":{"type":"Root"},"eventTime":"2026-11-18T09:00:00Z"}',
    ],
    ['trailing bytes', `${recordText()}}`],
    ['no bytes at all', ''],
  ];

  for (const [what, text] of malformed) {
    it(`fails, as parseJson does, for a record with ${what}`, () => {
      const result = parseText(new IdentityInterner(), text);
      expect(result.ok).toBe(false);
      expect(result).toEqual(parseJson(text));
    });
  }

  it('fails, as parseJson does, for a malformed record whose userIdentity is shared already', () => {
    const interner = new IdentityInterner();
    parseText(interner, recordText());
    const text = recordText().replace(/}$/, ',}');
    const result = parseText(interner, text);
    expect(result.ok).toBe(false);
    expect(result).toEqual(parseJson(text));
  });
});

describe('isSharedIdentity', () => {
  it('is false for a userIdentity JSON.parse made', () => {
    const parsed = JSON.parse(recordText()) as JsonObject;
    expect(isSharedIdentity(parsed['userIdentity'] as JsonObject)).toBe(false);
  });

  it('is true for a userIdentity the interner shares', () => {
    expect(isSharedIdentity(identityOf(parseText(new IdentityInterner(), recordText())))).toBe(true);
  });
});
