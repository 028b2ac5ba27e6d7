import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/core/model.js';
import { parseTrailRecord } from '../../../src/core/parse/cloudtrail.js';
import { builtInRules } from '../../../src/core/rules/packs/index.js';
import {
  type EventPattern,
  eventBridgeSource,
  matchesPattern,
  toEventBridgeEnvelope,
  validatePattern,
} from '../../../src/core/rules/pattern.js';

/** The EC2 event of the EventBridge documentation, with a few extra fields for the operators. */
const ec2Event: JsonObject = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'source-ipv6': '2001:db8::1',
    eventVersion: '',
    responseElements: null,
    enabled: false,
    tags: ['Custom_Alert', 'Insider'],
    nested: { inner: 'value' },
  },
};

/** Whether `detail` of the event matches `detailPattern` (with the event's other fields as above). */
function detailMatches(
  detailPattern: EventPattern,
  detail: JsonObject = ec2Event['detail'] as JsonObject,
): boolean {
  return matchesPattern({ detail: detailPattern }, { ...ec2Event, detail });
}

describe('exact matching and structure', () => {
  it('matches the documented EC2 example and ignores fields the pattern does not name', () => {
    expect(
      matchesPattern(
        {
          source: ['aws.ec2'],
          'detail-type': ['EC2 Instance State-change Notification'],
          detail: { state: ['terminated'] },
        },
        ec2Event,
      ),
    ).toBe(true);
  });

  it('ORs the values of a field and ANDs the fields', () => {
    expect(matchesPattern({ source: ['aws.ec2', 'aws.fargate'] }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'], region: ['eu-west-1'] }, ec2Event)).toBe(false);
  });

  it('needs every named field to exist with the same nesting', () => {
    expect(detailMatches({ missing: ['x'] })).toBe(false);
    expect(matchesPattern({ state: ['terminated'] }, ec2Event)).toBe(false);
    expect(detailMatches({ nested: { inner: ['value'] } })).toBe(true);
    // A nested pattern against a string finds no fields inside it.
    expect(detailMatches({ state: { inner: ['terminated'] } })).toBe(false);
  });

  it('compares strings character by character, without case folding', () => {
    expect(detailMatches({ state: ['Terminated'] })).toBe(false);
    expect(detailMatches({ state: ['terminated '] })).toBe(false);
  });

  it('keeps JSON types apart: numbers, strings, booleans and null', () => {
    expect(detailMatches({ 'c-count': [5] })).toBe(true);
    expect(detailMatches({ 'c-count': ['5'] })).toBe(false);
    expect(detailMatches({ 'instance-id': [5] })).toBe(false);
    expect(detailMatches({ enabled: [false] })).toBe(true);
    expect(detailMatches({ enabled: ['false'] })).toBe(false);
    expect(detailMatches({ enabled: [0] })).toBe(false);
  });

  it('matches null and the empty string, which are not interchangeable', () => {
    expect(detailMatches({ eventVersion: [''] })).toBe(true);
    expect(detailMatches({ responseElements: [null] })).toBe(true);
    expect(detailMatches({ eventVersion: [null] })).toBe(false);
    expect(detailMatches({ responseElements: [''] })).toBe(false);
    // null matches a field whose value is null, not an absent field.
    expect(detailMatches({ absent: [null] })).toBe(false);
  });

  it('matches an array in the event when any element matches (a non-empty intersection)', () => {
    const resources = [
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    ];
    const event = { ...ec2Event, resources };
    expect(
      matchesPattern(
        {
          resources: [
            'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
            'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          ],
        },
        event,
      ),
    ).toBe(true);
    expect(
      matchesPattern({ resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] }, event),
    ).toBe(false);
    expect(detailMatches({ tags: ['Insider'] })).toBe(true);
  });

  it('crushes arrays of objects, but keeps the fields of one nested pattern within one element', () => {
    const detail = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    };
    expect(detailMatches({ employees: { firstName: ['Anna'] } }, detail)).toBe(true);
    expect(detailMatches({ employees: { firstName: ['Peter'] } }, detail)).toBe(true);
    expect(detailMatches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, detail)).toBe(true);
    expect(detailMatches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, detail)).toBe(false);
  });

  it('does not match fields inherited from Object.prototype', () => {
    expect(detailMatches({ constructor: [{ exists: true }] })).toBe(false);
    expect(detailMatches({ toString: [{ exists: false }] })).toBe(true);
  });
});

describe('prefix', () => {
  it('matches the start of a string value', () => {
    expect(matchesPattern({ time: [{ prefix: '2017-12-22' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(false);
  });

  it('ignores case with equals-ignore-case', () => {
    expect(detailMatches({ state: [{ prefix: { 'equals-ignore-case': 'TERM' } }] })).toBe(true);
    expect(detailMatches({ state: [{ prefix: 'TERM' }] })).toBe(false);
  });

  it('works on strings only', () => {
    expect(detailMatches({ 'c-count': [{ prefix: '5' }] })).toBe(false);
    expect(detailMatches({ responseElements: [{ prefix: '' }] })).toBe(false);
    expect(detailMatches({ state: [{ prefix: '' }] })).toBe(true);
  });
});

describe('suffix', () => {
  it('matches the end of a string value', () => {
    expect(detailMatches({ 'instance-id': [{ suffix: 'cdef0' }] })).toBe(true);
    expect(detailMatches({ 'instance-id': [{ suffix: '.png' }] })).toBe(false);
  });

  it('ignores case with equals-ignore-case', () => {
    expect(detailMatches({ 'instance-id': [{ suffix: { 'equals-ignore-case': 'CDEF0' } }] })).toBe(true);
  });

  it('works on strings only', () => {
    expect(detailMatches({ 'x-limit': [{ suffix: '.8' }] })).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  it('matches a string in any case', () => {
    expect(matchesPattern({ source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: [{ 'equals-ignore-case': 'aws.ec' }] }, ec2Event)).toBe(false);
  });

  it('works on strings only', () => {
    expect(detailMatches({ enabled: [{ 'equals-ignore-case': 'false' }] })).toBe(false);
  });
});

describe('wildcard', () => {
  it('lets "*" match any run of characters, including none', () => {
    expect(matchesPattern({ source: [{ wildcard: 'aws.*' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: [{ wildcard: '*ec2' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: [{ wildcard: 'aws.ec2*' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ resources: [{ wildcard: 'arn:aws:ec2:*:*:instance/*' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: [{ wildcard: 'aws.s*' }] }, ec2Event)).toBe(false);
  });

  it('is anchored and treats other characters literally', () => {
    expect(matchesPattern({ source: [{ wildcard: 'aws' }] }, ec2Event)).toBe(false);
    expect(matchesPattern({ source: [{ wildcard: 'aws?ec2' }] }, ec2Event)).toBe(false);
    expect(detailMatches({ path: [{ wildcard: 'a.c' }] }, { path: 'abc' })).toBe(false);
  });

  it('escapes "*" and "\\" with a backslash', () => {
    expect(detailMatches({ name: [{ wildcard: 'file\\*.txt' }] }, { name: 'file*.txt' })).toBe(true);
    expect(detailMatches({ name: [{ wildcard: 'file\\*.txt' }] }, { name: 'file1.txt' })).toBe(false);
    expect(detailMatches({ name: [{ wildcard: 'C:\\\\*' }] }, { name: 'C:\\Windows' })).toBe(true);
  });

  it('never matches with an invalid wildcard, which validatePattern reports', () => {
    expect(matchesPattern({ source: [{ wildcard: 'aws**' }] }, ec2Event)).toBe(false);
    expect(validatePattern({ source: [{ wildcard: 'aws**' }] })).toEqual([
      'source[0]: wildcard "aws**": consecutive "*" at position 3 are not allowed',
    ]);
    expect(validatePattern({ source: [{ wildcard: 'a\\b' }] })[0]).toMatch(/may only escape/);
  });

  it('works on strings only', () => {
    expect(detailMatches({ 'c-count': [{ wildcard: '*' }] })).toBe(false);
  });
});

describe('anything-but', () => {
  it('excludes a string, a number or a list of either', () => {
    expect(detailMatches({ state: [{ 'anything-but': 'initializing' }] })).toBe(true);
    expect(detailMatches({ state: [{ 'anything-but': 'terminated' }] })).toBe(false);
    expect(detailMatches({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] })).toBe(true);
    expect(detailMatches({ state: [{ 'anything-but': ['stopped', 'terminated'] }] })).toBe(false);
    expect(detailMatches({ 'x-limit': [{ 'anything-but': 123 }] })).toBe(true);
    expect(detailMatches({ 'x-limit': [{ 'anything-but': [100, 301.8] }] })).toBe(false);
  });

  it('excludes by prefix, suffix, case-insensitive value or wildcard', () => {
    expect(detailMatches({ state: [{ 'anything-but': { prefix: 'init' } }] })).toBe(true);
    expect(detailMatches({ state: [{ 'anything-but': { prefix: 'term' } }] })).toBe(false);
    expect(detailMatches({ state: [{ 'anything-but': { suffix: '.png' } }] })).toBe(true);
    expect(detailMatches({ state: [{ 'anything-but': { suffix: 'nated' } }] })).toBe(false);
    expect(detailMatches({ state: [{ 'anything-but': { 'equals-ignore-case': 'TERMINATED' } }] })).toBe(
      false,
    );
    expect(
      detailMatches({ state: [{ 'anything-but': { 'equals-ignore-case': ['RUNNING', 'STOPPED'] } }] }),
    ).toBe(true);
    expect(detailMatches({ state: [{ 'anything-but': { wildcard: 'term*' } }] })).toBe(false);
    expect(detailMatches({ state: [{ 'anything-but': { wildcard: ['*/lib/*', 'run*'] } }] })).toBe(true);
  });

  it('does not match an absent field', () => {
    expect(detailMatches({ absent: [{ 'anything-but': 'x' }] })).toBe(false);
  });

  it('only excludes values of its own type', () => {
    expect(detailMatches({ 'c-count': [{ 'anything-but': '5' }] })).toBe(true);
    expect(detailMatches({ state: [{ 'anything-but': 5 }] })).toBe(true);
    expect(detailMatches({ responseElements: [{ 'anything-but': 'null' }] })).toBe(true);
    expect(detailMatches({ 'c-count': [{ 'anything-but': { prefix: '5' } }] })).toBe(true);
  });

  it('matches an array when some element is not excluded', () => {
    expect(detailMatches({ tags: [{ 'anything-but': 'Insider' }] })).toBe(true);
    expect(detailMatches({ tags: [{ 'anything-but': ['Insider', 'Custom_Alert'] }] })).toBe(false);
  });

  it('rejects mixed lists and empty prefixes', () => {
    expect(validatePattern({ a: [{ 'anything-but': ['x', 1] }] })).toEqual([
      'a[0]: anything-but: a list must hold only strings or only numbers',
    ]);
    expect(validatePattern({ a: [{ 'anything-but': { prefix: '' } }] })).toEqual([
      'a[0]: anything-but: prefix must be a non-empty string',
    ]);
    expect(validatePattern({ a: [{ 'anything-but': { prefx: 'x' } }] })).toEqual([
      'a[0]: anything-but: unsupported operator "prefx" (did you mean "prefix"?)',
    ]);
  });
});

describe('numeric', () => {
  it('compares with =, <, <=, > and >=, alone or as a range', () => {
    expect(
      detailMatches({
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      }),
    ).toBe(true);
    expect(detailMatches({ 'c-count': [{ numeric: ['<', 5] }] })).toBe(false);
    expect(detailMatches({ 'c-count': [{ numeric: ['<=', 5] }] })).toBe(true);
    expect(detailMatches({ 'c-count': [{ numeric: ['>', 5] }] })).toBe(false);
    expect(detailMatches({ 'c-count': [{ numeric: ['>=', 5] }] })).toBe(true);
    expect(detailMatches({ 'c-count': [{ numeric: ['>', 0, '<', 5] }] })).toBe(false);
    expect(detailMatches({ 'c-count': [{ numeric: ['>=', 5, '<', 6] }] })).toBe(true);
  });

  it('only matches JSON numbers', () => {
    expect(detailMatches({ n: [{ numeric: ['>', 0] }] }, { n: '5' })).toBe(false);
    expect(detailMatches({ n: [{ numeric: ['>', 0] }] }, { n: true })).toBe(false);
    expect(detailMatches({ n: [{ numeric: ['>', 0] }] }, { n: [-1, 3] })).toBe(true);
  });

  it('works to six decimal places within -5e9..5e9', () => {
    expect(detailMatches({ n: [{ numeric: ['=', 1.0000001] }] }, { n: 1 })).toBe(true);
    expect(detailMatches({ n: [{ numeric: ['=', 1.000001] }] }, { n: 1 })).toBe(false);
    expect(detailMatches({ n: [{ numeric: ['>', 0] }] }, { n: 6e9 })).toBe(false);
    expect(validatePattern({ n: [{ numeric: ['>', 6e9] }] })).toEqual([
      'n[0]: numeric: 6000000000 is outside the range EventBridge supports (-5e9 to 5e9)',
    ]);
  });

  it('rejects malformed ranges', () => {
    expect(validatePattern({ n: [{ numeric: ['<', 5, '>', 1] }] })).toEqual([
      'n[0]: numeric: a range must start with ">" or ">="',
      'n[0]: numeric: a range must end with "<" or "<="',
    ]);
    expect(validatePattern({ n: [{ numeric: ['>', 5, '<', 1] }] })).toEqual([
      'n[0]: numeric: the lower bound must be below the upper bound',
    ]);
    expect(validatePattern({ n: [{ numeric: ['~', 5] }] })).toEqual(['n[0]: numeric: unknown operator "~"']);
    expect(validatePattern({ n: [{ numeric: ['>', '5'] }] })).toEqual(['n[0]: numeric: "5" is not a number']);
  });
});

describe('cidr', () => {
  it('matches IPv4 addresses in the block', () => {
    expect(detailMatches({ 'source-ip': [{ cidr: '10.0.0.0/24' }] })).toBe(true);
    expect(detailMatches({ 'source-ip': [{ cidr: '10.0.1.0/24' }] })).toBe(false);
    expect(detailMatches({ 'source-ip': [{ cidr: '0.0.0.0/0' }] })).toBe(true);
    expect(detailMatches({ 'source-ip': [{ cidr: '10.0.0.33/32' }] })).toBe(true);
  });

  it('matches IPv6 addresses, and never an address of the other version', () => {
    expect(detailMatches({ 'source-ipv6': [{ cidr: '2001:db8::/32' }] })).toBe(true);
    expect(detailMatches({ 'source-ipv6': [{ cidr: '2001:db9::/32' }] })).toBe(false);
    expect(detailMatches({ 'source-ip': [{ cidr: '::/0' }] })).toBe(false);
    expect(detailMatches({ ip: [{ cidr: '::ffff:0:0/96' }] }, { ip: '::ffff:10.0.0.1' })).toBe(true);
  });

  it('ignores values that are not IP addresses', () => {
    expect(detailMatches({ state: [{ cidr: '0.0.0.0/0' }] })).toBe(false);
    expect(detailMatches({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 'AWS Internal' })).toBe(false);
    expect(detailMatches({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '256.0.0.1' })).toBe(false);
  });

  it('starts the range at the address as written, as EventBridge does, and warns about it', () => {
    expect(detailMatches({ ip: [{ cidr: '10.0.0.40/24' }] }, { ip: '10.0.0.33' })).toBe(false);
    expect(detailMatches({ ip: [{ cidr: '10.0.0.40/24' }] }, { ip: '10.0.0.41' })).toBe(true);
    expect(validatePattern({ ip: [{ cidr: '10.0.0.40/24' }] })[0]).toMatch(/host bits set/);
  });

  it('rejects malformed blocks', () => {
    expect(validatePattern({ ip: [{ cidr: '10.0.0.0' }] })[0]).toMatch(/exactly one "\/"/);
    expect(validatePattern({ ip: [{ cidr: '10.0.0.0/33' }] })[0]).toMatch(/at most 32/);
    expect(validatePattern({ ip: [{ cidr: 'example.com/8' }] })[0]).toMatch(/not an IPv4 or IPv6 address/);
  });
});

describe('exists', () => {
  it('matches on presence or absence of a field', () => {
    expect(detailMatches({ 'c-count': [{ exists: true }] })).toBe(true);
    expect(detailMatches({ 'c-count': [{ exists: false }] })).toBe(false);
    expect(detailMatches({ 'd-count': [{ exists: false }] })).toBe(true);
    expect(detailMatches({ 'd-count': [{ exists: true }] })).toBe(false);
  });

  it('counts null as present', () => {
    expect(detailMatches({ responseElements: [{ exists: true }] })).toBe(true);
  });

  it('only looks at leaf nodes: an object field "does not exist"', () => {
    expect(detailMatches({ nested: [{ exists: false }] })).toBe(true);
    expect(detailMatches({ nested: [{ exists: true }] })).toBe(false);
  });

  it('holds for a field under a missing parent', () => {
    expect(matchesPattern({ detail: { a: { b: [{ exists: false }] } } }, ec2Event)).toBe(true);
    expect(matchesPattern({ missing: { b: [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ missing: { b: [{ exists: true }] } }, ec2Event)).toBe(false);
  });

  it('treats an empty array as no value', () => {
    expect(matchesPattern({ resources: [{ exists: false }] }, { ...ec2Event, resources: [] })).toBe(true);
    expect(matchesPattern({ resources: [{ exists: true }] }, { ...ec2Event, resources: [] })).toBe(false);
  });

  it('can be ORed with values', () => {
    expect(detailMatches({ errorCode: ['AccessDenied', { exists: false }] })).toBe(true);
    expect(
      detailMatches({ errorCode: ['AccessDenied', { exists: false }] }, { errorCode: 'AccessDenied' }),
    ).toBe(true);
    expect(
      detailMatches({ errorCode: ['AccessDenied', { exists: false }] }, { errorCode: 'Throttling' }),
    ).toBe(false);
  });
});

describe('$or', () => {
  const metric = {
    source: 'aws.cloudwatch',
    metricName: 'NetworkIn',
    namespace: 'AWS/EC2',
    scope: 'Service',
  };

  it('matches when any branch matches, ANDed with the other fields', () => {
    const pattern: EventPattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matchesPattern(pattern, metric)).toBe(true);
    expect(matchesPattern(pattern, { ...metric, namespace: 'AWS/Lambda' })).toBe(false);
    expect(matchesPattern(pattern, { ...metric, source: 'aws.ec2' })).toBe(false);
  });

  it('nests, and applies at the level where it is written', () => {
    const pattern: EventPattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ['Nope'] },
      ],
    };
    expect(matchesPattern(pattern, { ...metric, spaceId: 1000 })).toBe(true);
    expect(matchesPattern(pattern, { ...metric, spaceId: 999 })).toBe(false);
    const inDetail: EventPattern = { detail: { $or: [{ a: ['1'] }, { b: ['2'] }] } };
    expect(matchesPattern(inDetail, { detail: { b: '2' } })).toBe(true);
    expect(matchesPattern(inDetail, { b: '2', detail: {} })).toBe(false);
  });

  it('needs at least two objects, and no operator names as fields inside', () => {
    expect(validatePattern({ $or: [{ a: ['1'] }] })).toEqual([
      '$or: must be an array of at least two objects',
    ]);
    expect(validatePattern({ $or: [{ numeric: [1] }, { prefix: ['a'] }] })).toEqual([
      '$or[0].numeric: "numeric" is an operator name and cannot be a field inside $or',
      '$or[1].prefix: "prefix" is an operator name and cannot be a field inside $or',
    ]);
  });
});

describe('validatePattern', () => {
  it('accepts every built-in pattern', () => {
    for (const rule of builtInRules)
      expect({ id: rule.id, problems: validatePattern(rule.pattern) }).toEqual({ id: rule.id, problems: [] });
  });

  it('names the field path of each problem', () => {
    expect(
      validatePattern({
        source: 'aws.iam',
        detail: {
          eventName: [{ prefx: 'Create' }],
          userIdentity: {},
          readOnly: [],
          errorCode: [{ exists: 'no' }],
        },
      }),
    ).toEqual([
      'source: must be an array of matchers or an object, got "aws.iam"',
      'detail.eventName[0]: unknown operator "prefx" (did you mean "prefix"?)',
      'detail.userIdentity: empty objects are not allowed',
      'detail.readOnly: empty arrays are not allowed',
      'detail.errorCode[0]: exists must be true or false, got "no"',
    ]);
  });

  it('explains an operator written outside its array', () => {
    expect(validatePattern({ detail: { eventName: { prefix: 'Create' } } })).toEqual([
      'detail.eventName: an operator goes inside an array, e.g. [{"prefix": "Create"}]',
    ]);
  });

  it('rejects matchers that are not values or one-operator objects', () => {
    expect(validatePattern({ a: [['x']] })).toEqual([
      'a[0]: a matcher must be a string, number, true, false, null or an object, got ["x"]',
    ]);
    expect(validatePattern({ a: [{ prefix: 'x', suffix: 'y' }] })).toEqual([
      'a[0]: a matcher object must have exactly one operator, got {"prefix":"x","suffix":"y"}',
    ]);
    expect(validatePattern([])).toEqual(['the pattern must be a JSON object, got []']);
    expect(validatePattern({})).toEqual(['the pattern: empty objects are not allowed']);
  });
});

describe('toEventBridgeEnvelope', () => {
  const base = {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/alice' },
    eventTime: '2025-03-04T09:00:00Z',
    awsRegion: 'us-east-1',
    eventID: 'c2a89408-340a-42f0-8ace-75d9f5769393',
    recipientAccountId: '111122223333',
  };

  it('wraps a record as EventBridge delivers it, with the record as detail', () => {
    const record = {
      ...base,
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      eventType: 'AwsApiCall',
    };
    const event = parseTrailRecord(record, { source: 'test' });
    expect(toEventBridgeEnvelope(event)).toEqual({
      version: '0',
      id: 'c2a89408-340a-42f0-8ace-75d9f5769393',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.iam',
      account: '111122223333',
      time: '2025-03-04T09:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: record,
    });
  });

  it('uses the sign-in and service event detail types', () => {
    const login = parseTrailRecord(
      {
        ...base,
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        eventType: 'AwsConsoleSignIn',
      },
      { source: 'test' },
    );
    expect(toEventBridgeEnvelope(login)['detail-type']).toBe('AWS Console Sign In via CloudTrail');
    const untyped = parseTrailRecord(
      { ...base, eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin' },
      { source: 'test' },
    );
    expect(toEventBridgeEnvelope(untyped)['detail-type']).toBe('AWS Console Sign In via CloudTrail');
    const service = parseTrailRecord(
      { ...base, eventSource: 'kms.amazonaws.com', eventName: 'RotateKey', eventType: 'AwsServiceEvent' },
      { source: 'test' },
    );
    expect(toEventBridgeEnvelope(service)['detail-type']).toBe('AWS Service Event via CloudTrail');
  });

  it('names the source after the service', () => {
    expect(eventBridgeSource('iam.amazonaws.com')).toBe('aws.iam');
    expect(eventBridgeSource('s3.amazonaws.com')).toBe('aws.s3');
    expect(eventBridgeSource('ec2-instance-connect.amazonaws.com')).toBe('aws.ec2-instance-connect');
  });
});
