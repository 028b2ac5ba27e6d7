import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Identifier } from '../../src/core/model.js';
import type { RequestSummary } from '../../src/core/timeline.js';
import { IndexFileError } from '../../src/index/errors.js';
import {
  type Described,
  decodeDetail,
  detailOf,
  type Layout,
  LayoutReader,
  LayoutWriter,
  layoutOf,
  layoutText,
  parseLayout,
} from '../../src/index/sqlite-layout.js';

const SG = 'sg-0123456789abcdef0';

function described(overrides: Partial<Described> = {}): Described {
  return {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    identifiers: [{ value: SG, path: 'requestParameters.groupId', resourceType: 'AWS::EC2::SecurityGroup' }],
    aliases: [],
    request: { groupId: SG },
    ...overrides,
  };
}

/** A request summary with own keys only, in this order (as `summariseRequest` builds them). */
function requestOf(entries: [string, string | number | boolean][]): RequestSummary {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** What the index keeps of the event, decoded through the layout's text: the whole trip through the table. */
function roundTrip(event: Described) {
  const layout = parseLayout(layoutText(layoutOf(event)), 'test');
  return decodeDetail(layout, detailOf(event), 'test');
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const LAYOUTS_TABLE = 'CREATE TABLE layouts (id INTEGER PRIMARY KEY, layout TEXT NOT NULL UNIQUE)';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.exec(LAYOUTS_TABLE);
});
afterEach(() => {
  db.close();
});

const layoutRows = (): number => (db.prepare('SELECT count(*) AS n FROM layouts').get() as { n: number }).n;

describe('layout and detail round trip', () => {
  it('gives back identifiers with and without a resource type', () => {
    const identifiers: Identifier[] = [
      { value: SG, path: 'requestParameters.groupId', resourceType: 'AWS::EC2::SecurityGroup' },
      { value: 'vpc-1', path: 'responseElements.vpcId' },
      { value: 'arn:aws:s3:::bucket', path: 'resources.ARN', resourceType: 'AWS::S3::Bucket' },
    ];
    const decoded = roundTrip(described({ identifiers }));
    expect(decoded.identifiers).toEqual(identifiers);
    expect(decoded.identifiers[1]).not.toHaveProperty('resourceType');
  });

  it('keeps an empty resource type apart from an absent one', () => {
    const identifiers: Identifier[] = [
      { value: 'a', path: 'p', resourceType: '' },
      { value: 'b', path: 'p' },
    ];
    const decoded = roundTrip(described({ identifiers }));
    expect(decoded.identifiers[0]).toEqual({ value: 'a', path: 'p', resourceType: '' });
    expect(decoded.identifiers[1]).not.toHaveProperty('resourceType');
  });

  it('gives back alias groups of several sizes, in order', () => {
    const aliases = [['a'], ['b', 'c'], ['d', 'e', 'f'], ['g']];
    expect(roundTrip(described({ aliases })).aliases).toEqual(aliases);
  });

  it('gives back an event with no identifiers, aliases or request', () => {
    const decoded = roundTrip(described({ identifiers: [], aliases: [], request: {} }));
    expect(decoded).toEqual({ identifiers: [], aliases: [], request: {} });
  });

  it('keeps request values as strings, numbers and booleans', () => {
    const request = requestOf([
      ['name', 'web'],
      ['empty', ''],
      ['port', 22],
      ['zero', 0],
      ['negative', -1.5],
      ['enabled', true],
      ['disabled', false],
      ['numeric text', '22'],
      ['boolean text', 'true'],
    ]);
    const decoded = roundTrip(described({ request }));
    expect(decoded.request).toStrictEqual(request);
    expect(typeof decoded.request['port']).toBe('number');
    expect(typeof decoded.request['numeric text']).toBe('string');
    expect(decoded.request['disabled']).toBe(false);
    expect(decoded.request['boolean text']).toBe('true');
  });

  it('keeps request keys that look like indexes, or hold NUL, in their order', () => {
    const request = requestOf([
      ['b', 'x'],
      ['0', 'zero'],
      ['a\u0000b', 'nul'],
      ['10', 10],
      ['\u0000', true],
    ]);
    const decoded = roundTrip(described({ request }));
    expect(decoded.request).toStrictEqual(request);
    expect(Object.keys(decoded.request)).toEqual(Object.keys(request));
  });

  // summariseRequest stores a key named `__proto__` as data (Object.defineProperty); a plain assignment
  // would hit the prototype setter and drop it.
  it('keeps a request key named __proto__ as data', () => {
    const request = requestOf([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
    const decoded = roundTrip(described({ request }));
    expect(Object.keys(decoded.request)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(decoded.request, '__proto__')?.value).toBe('x');
  });

  it('lays out values in order: identifiers, alias members, request values', () => {
    const event = described({
      identifiers: [{ value: 'i', path: 'p' }],
      aliases: [['a1', 'a2'], ['b1']],
      request: { k: 7, l: false },
    });
    expect(JSON.parse(detailOf(event))).toEqual(['i', 'a1', 'a2', 'b1', 7, false]);
    expect(layoutOf(event)).toEqual({
      source: 'ec2.amazonaws.com',
      name: 'AuthorizeSecurityGroupIngress',
      identifiers: [['p']],
      aliasSizes: [2, 1],
      requestKeys: ['k', 'l'],
      repeats: [],
    });
  });

  it('stores a value that repeats an earlier one once, and gives it back in its places', () => {
    const event = described({
      identifiers: [
        { value: SG, path: 'requestParameters.groupId', resourceType: 'AWS::EC2::SecurityGroup' },
        { value: 'web', path: 'requestParameters.groupName' },
      ],
      aliases: [[SG, 'web']],
      request: { groupId: SG, groupName: 'web', port: 22, again: 22, text: '22' },
    });
    expect(JSON.parse(detailOf(event))).toEqual([SG, 'web', 22, '22']);
    // Positions 2 and 3 (the alias group), 4 and 5 (the request's first two), 7 (22 again); '22' is a string.
    expect(layoutOf(event).repeats).toEqual([2, 0, 3, 1, 4, 0, 5, 1, 7, 6]);
    expect(roundTrip(event)).toEqual({
      identifiers: event.identifiers,
      aliases: event.aliases,
      request: event.request,
    });
  });
});

describe('LayoutWriter and LayoutReader', () => {
  it('gives back through the table what the writer was given', () => {
    const writer = new LayoutWriter(db);
    const reader = new LayoutReader(db, 'mem.db');
    const event = described({
      identifiers: [
        { value: SG, path: 'requestParameters.groupId', resourceType: 'AWS::EC2::SecurityGroup' },
        { value: 'vpc-1', path: 'responseElements.vpcId' },
      ],
      aliases: [['x', 'y'], ['z']],
      request: requestOf([
        ['0', 1],
        ['a\u0000', true],
        ['s', 'v'],
      ]),
    });
    const layout = reader.layout(writer.idOf(event));
    expect(layout).toEqual(layoutOf(event));
    const decoded = decodeDetail(layout, detailOf(event), 'test');
    expect(decoded.identifiers).toEqual(event.identifiers);
    expect(decoded.aliases).toEqual(event.aliases);
    expect(decoded.request).toStrictEqual(event.request);
  });

  it('gives identical layouts one id and one row', () => {
    const writer = new LayoutWriter(db);
    const first = writer.idOf(described());
    expect(writer.idOf(described())).toBe(first);
    expect(layoutRows()).toBe(1);
  });

  it('gives events with the same layout but other values one id', () => {
    const writer = new LayoutWriter(db);
    const a = described({ request: { groupId: 'sg-a' } });
    const b = described({
      identifiers: [
        { value: 'sg-b', path: 'requestParameters.groupId', resourceType: 'AWS::EC2::SecurityGroup' },
      ],
      request: { groupId: 'sg-c' },
    });
    expect(writer.idOf(b)).toBe(writer.idOf(a));
  });

  it('gives events whose values repeat in other places other ids', () => {
    const writer = new LayoutWriter(db);
    const repeated = described({ request: { groupId: SG } });
    const other = described({ request: { groupId: 'sg-other' } });
    expect(writer.idOf(repeated)).not.toBe(writer.idOf(other));
  });

  const variants: [string, Described, Described][] = [
    [
      'a resource type present or absent',
      described({ identifiers: [{ value: 'v', path: 'p', resourceType: 'T' }] }),
      described({ identifiers: [{ value: 'v', path: 'p' }] }),
    ],
    [
      'an empty resource type or none',
      described({ identifiers: [{ value: 'v', path: 'p', resourceType: '' }] }),
      described({ identifiers: [{ value: 'v', path: 'p' }] }),
    ],
    [
      'an identifier path',
      described({ identifiers: [{ value: 'v', path: 'p' }] }),
      described({ identifiers: [{ value: 'v', path: 'q' }] }),
    ],
    [
      'the event source',
      described({ eventSource: 'ec2.amazonaws.com' }),
      described({ eventSource: 'iam.amazonaws.com' }),
    ],
    ['the event name', described({ eventName: 'A' }), described({ eventName: 'B' })],
    [
      'an alias group split [a,b],[c] or [a],[b,c]',
      described({ aliases: [['a', 'b'], ['c']] }),
      described({ aliases: [['a'], ['b', 'c']] }),
    ],
    ['one alias group or none', described({ aliases: [['a']] }), described({ aliases: [] })],
    [
      'the order of the request keys',
      described({ request: { a: 1, b: 2 } }),
      described({ request: { b: 2, a: 1 } }),
    ],
    ['one request key more', described({ request: { a: 1 } }), described({ request: { a: 1, b: 2 } })],
    [
      'a value counted as an identifier or as an alias',
      described({ identifiers: [{ value: 'v', path: 'p' }], aliases: [] }),
      described({ identifiers: [], aliases: [['v']] }),
    ],
  ];

  for (const [part, one, other] of variants) {
    it(`gives different ids to layouts that differ only in ${part}`, () => {
      const writer = new LayoutWriter(db);
      const reader = new LayoutReader(db, 'mem.db');
      const a = writer.idOf(one);
      const b = writer.idOf(other);
      expect(a).not.toBe(b);
      expect(reader.layout(a)).toEqual(layoutOf(one));
      expect(reader.layout(b)).toEqual(layoutOf(other));
      // Asked again in the other order, each keeps its id.
      expect(writer.idOf(other)).toBe(b);
      expect(writer.idOf(one)).toBe(a);
    });
  }

  it('finds in the table the ids another writer gave, without adding rows', () => {
    const events = [
      described(),
      described({ eventName: 'RevokeSecurityGroupIngress' }),
      described({ aliases: [['a', 'b']] }),
    ];
    const ids = events.map((event) => new LayoutWriter(db).idOf(event));
    const rows = layoutRows();
    const fresh = new LayoutWriter(db);
    expect(events.map((event) => fresh.idOf(event))).toEqual(ids);
    expect(layoutRows()).toBe(rows);
  });

  it('keeps the ids of a committed transaction', () => {
    const writer = new LayoutWriter(db);
    db.exec('BEGIN');
    const id = writer.idOf(described());
    db.exec('COMMIT');
    writer.committed();
    expect(writer.idOf(described())).toBe(id);
    expect(new LayoutReader(db, 'mem.db').layout(id)).toEqual(layoutOf(described()));
  });

  it('forgets, after rolledBack(), the ids a rolled-back transaction added', () => {
    const writer = new LayoutWriter(db);
    db.exec('BEGIN');
    writer.idOf(described());
    db.exec('ROLLBACK');
    writer.rolledBack();
    expect(layoutRows()).toBe(0);
    const id = writer.idOf(described());
    expect(layoutRows()).toBe(1);
    expect(new LayoutReader(db, 'mem.db').layout(id)).toEqual(layoutOf(described()));
  });

  it('keeps, after rolledBack(), the ids committed before the rolled-back transaction', () => {
    const writer = new LayoutWriter(db);
    const kept = writer.idOf(described({ eventName: 'Kept' }));
    db.exec('BEGIN');
    writer.idOf(described({ eventName: 'Dropped' }));
    expect(writer.idOf(described({ eventName: 'Kept' }))).toBe(kept);
    db.exec('ROLLBACK');
    writer.rolledBack();
    expect(writer.idOf(described({ eventName: 'Kept' }))).toBe(kept);
    expect(layoutRows()).toBe(1);
    const dropped = writer.idOf(described({ eventName: 'Dropped' }));
    expect(layoutRows()).toBe(2);
    expect(new LayoutReader(db, 'mem.db').layout(dropped).name).toBe('Dropped');
  });

  it('gives the same ids after forget(), from the table', () => {
    const writer = new LayoutWriter(db);
    const id = writer.idOf(described());
    writer.forget();
    expect(writer.idOf(described())).toBe(id);
    expect(layoutRows()).toBe(1);
  });

  it('reads a layout once: a later change of its row is not seen', () => {
    const writer = new LayoutWriter(db);
    const reader = new LayoutReader(db, 'mem.db');
    const id = writer.idOf(described());
    const first = reader.layout(id);
    db.prepare('UPDATE layouts SET layout = ? WHERE id = ?').run('not a layout', id);
    expect(reader.layout(id)).toBe(first);
  });

  it('throws IndexFileError naming the file and the id of a missing layout', () => {
    const reader = new LayoutReader(db, 'mem.db');
    const error = errorOf(() => reader.layout(42));
    expect(error).toBeInstanceOf(IndexFileError);
    expect((error as Error).message).toBe('mem.db: an event refers to missing layout 42');
  });

  it('throws IndexFileError naming the file and the id of a damaged layout row', () => {
    db.prepare('INSERT INTO layouts (id, layout) VALUES (?, ?)').run(7, '["only", "two"]');
    const error = errorOf(() => new LayoutReader(db, 'mem.db').layout(7));
    expect(error).toBeInstanceOf(IndexFileError);
    expect((error as Error).message).toMatch(/^mem\.db: layout 7: layout must be/);
  });
});

describe('decodeDetail', () => {
  const layout: Layout = {
    source: 's',
    name: 'n',
    identifiers: [['p', 'T'], ['q']],
    aliasSizes: [2],
    requestKeys: ['k'],
    repeats: [],
  };

  it('decodes values that fit the layout', () => {
    expect(decodeDetail(layout, '["i","j","a","b",3]', 'here')).toEqual({
      identifiers: [
        { value: 'i', path: 'p', resourceType: 'T' },
        { value: 'j', path: 'q' },
      ],
      aliases: [['a', 'b']],
      request: { k: 3 },
    });
  });

  it('throws IndexFileError naming the place when there are too few values', () => {
    const error = errorOf(() => decodeDetail(layout, '["i","j","a","b"]', 'idx.db: event e-1'));
    expect(error).toBeInstanceOf(IndexFileError);
    expect((error as Error).message).toBe(
      'idx.db: event e-1: detail must hold 5 values for its layout, but 4 were found',
    );
  });

  it('throws IndexFileError naming the place when there are too many values', () => {
    const error = errorOf(() => decodeDetail(layout, '["i","j","a","b",3,4]', 'idx.db: event e-1'));
    expect(error).toBeInstanceOf(IndexFileError);
    expect((error as Error).message).toMatch(
      /^idx\.db: event e-1: detail must hold 5 values .* 6 were found$/,
    );
  });

  it('throws IndexFileError naming the place when the detail is JSON but not an array', () => {
    const error = errorOf(() => decodeDetail(layout, '{"k":3}', 'idx.db: event e-1'));
    expect(error).toBeInstanceOf(IndexFileError);
    expect((error as Error).message).toMatch(
      /^idx\.db: event e-1: detail must hold 5 values .* object were found$/,
    );
  });

  it('throws IndexFileError naming the place, with the cause, when the detail is not JSON', () => {
    const error = errorOf(() => decodeDetail(layout, '["i",', 'idx.db: event e-1'));
    expect(error).toBeInstanceOf(IndexFileError);
    expect((error as Error).message).toBe('idx.db: event e-1: detail is not JSON');
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

describe('parseLayout', () => {
  it('parses the text layoutText writes', () => {
    const layout: Layout = {
      source: 's',
      name: 'n',
      identifiers: [['p', 'T'], ['q']],
      aliasSizes: [0, 1, 3],
      requestKeys: ['0', '__proto__', 'a\u0000'],
      repeats: [],
    };
    expect(parseLayout(layoutText(layout), 'here')).toEqual(layout);
    const repeating: Layout = { ...layout, repeats: [3, 1, 5, 0] };
    expect(parseLayout(layoutText(repeating), 'here')).toEqual(repeating);
  });

  it('throws IndexFileError naming the place, with the cause, when the text is not JSON', () => {
    const error = errorOf(() => parseLayout('["s", "n"', 'idx.db: layout 3'));
    expect(error).toBeInstanceOf(IndexFileError);
    expect((error as Error).message).toBe('idx.db: layout 3: layout is not JSON');
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  const malformed: [string, string][] = [
    ['an object', '{"source":"s"}'],
    ['four parts', '["s","n",[],[]]'],
    ['seven parts', '["s","n",[],[],[],[],[]]'],
    ['repeats of an odd length', '["s","n",[["p"],["q"]],[],[],[1]]'],
    ['a repeat of a later position', '["s","n",[["p"],["q"]],[],[],[0,1]]'],
    ['a repeat past the values', '["s","n",[["p"],["q"]],[],[],[2,0]]'],
    ['a position repeated twice', '["s","n",[["p"],["q"],["r"]],[],[],[2,0,2,1]]'],
    ['a source that is not a string', '[1,"n",[],[],[]]'],
    ['a name that is not a string', '["s",null,[],[],[]]'],
    ['identifiers that are not a list', '["s","n",{},[],[]]'],
    ['an identifier of no parts', '["s","n",[[]],[],[]]'],
    ['an identifier of three parts', '["s","n",[["p","T","x"]],[],[]]'],
    ['an identifier path that is not a string', '["s","n",[[1]],[],[]]'],
    ['a negative alias size', '["s","n",[],[-1],[]]'],
    ['a fractional alias size', '["s","n",[],[1.5],[]]'],
    ['an alias size given as text', '["s","n",[],["2"],[]]'],
    ['a request key that is not a string', '["s","n",[],[],[1]]'],
  ];

  for (const [what, text] of malformed) {
    it(`throws IndexFileError naming the place for ${what}`, () => {
      const error = errorOf(() => parseLayout(text, 'idx.db: layout 3'));
      expect(error).toBeInstanceOf(IndexFileError);
      expect((error as Error).message).toMatch(/^idx\.db: layout 3: layout must be \[source, name, /);
      expect((error as Error).message).toContain(text.slice(0, 80));
    });
  }

  it('quotes at most 80 characters of a long malformed text', () => {
    const text = `["s","n",[],[],[${'1,'.repeat(100)}1]]`;
    const message = (errorOf(() => parseLayout(text, 'here')) as Error).message;
    expect(message).toContain(text.slice(0, 80));
    expect(message).not.toContain(text.slice(0, 81));
  });
});
