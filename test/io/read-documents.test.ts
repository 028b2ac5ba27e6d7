import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DocumentRead,
  readDocuments,
  readDocumentsBlocking,
  startReading,
} from '../../src/io/read-documents.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudblame-read-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

async function readAll(paths: string[], onSkip?: (path: string) => void): Promise<DocumentRead[]> {
  const out: DocumentRead[] = [];
  for await (const read of readDocuments(paths, onSkip ? { onSkip } : {})) out.push(read);
  return out;
}

/** Each read as [source relative to the temp dir, doc or error message]. */
function summary(reads: DocumentRead[]): [string, unknown][] {
  return reads.map((read) => [
    read.source.replace(`${dir}/`, ''),
    'error' in read ? `error: ${read.error.message.replace(`${dir}/`, '')}` : read.doc,
  ]);
}

const trail = JSON.stringify({ Records: [{ eventName: 'CreateBucket' }] });

describe('readDocuments', () => {
  it('reads a JSON file', async () => {
    const path = write('a.json', trail);
    expect(await readAll([path])).toEqual([{ source: path, doc: JSON.parse(trail), bytes: trail.length }]);
  });

  it('reads a gzipped JSON file', async () => {
    const path = write('a.json.gz', gzipSync(trail));
    expect(summary(await readAll([path]))).toEqual([['a.json.gz', JSON.parse(trail)]]);
  });

  it('recognises gzip by its content, whatever the file is called', async () => {
    const path = write('a.json', gzipSync(trail));
    expect(summary(await readAll([path]))).toEqual([['a.json', JSON.parse(trail)]]);
  });

  it('reports a truncated gzip file and goes on with the next file', async () => {
    const whole = gzipSync(trail);
    const broken = write('a.json.gz', whole.subarray(0, whole.length - 12));
    const next = write('b.json', '{"ok":true}');
    expect(summary(await readAll([broken, next]))).toEqual([
      ['a.json.gz', 'error: a.json.gz: truncated gzip data (unexpected end of file)'],
      ['b.json', { ok: true }],
    ]);
  });

  it('says a .gz file that is not gzip is not, rather than only that its JSON is invalid', async () => {
    const [read] = await readAll([write('a.json.gz', 'not gzip and not JSON')]);
    expect(read && 'error' in read && read.error.message).toMatch(
      /a\.json\.gz: named \.gz but neither gzip-compressed nor valid JSON: /,
    );
  });

  it('reports invalid JSON with the line and column', async () => {
    const path = write('a.json', '{\n  "Records": [\n    {"a": 1}\n    {"b": 2}\n  ]\n}\n');
    const [read] = await readAll([path]);
    expect(read && 'error' in read && read.error.message).toMatch(
      /^.*a\.json: invalid JSON: .*\(line 4 column 5\)$/,
    );
  });

  it('reports an empty file', async () => {
    expect(summary(await readAll([write('a.json', '\n')]))).toEqual([
      ['a.json', 'error: a.json: empty file'],
    ]);
  });

  it('reads a JSON Lines file one document per line, named path:line', async () => {
    const path = write('a.jsonl', '{"n":1}\n\n{"n":2}\r\n');
    expect(await readAll([path])).toEqual([
      { source: `${path}:1`, doc: { n: 1 }, bytes: 7, line: 1 },
      { source: `${path}:3`, doc: { n: 2 }, bytes: 7, line: 3 },
    ]);
  });

  it('reports a bad line of a JSON Lines file without losing its neighbours', async () => {
    const path = write('a.ndjson', '{"n":1}\n{"n":\n{"n":3}\n');
    expect(summary(await readAll([path]))).toEqual([
      ['a.ndjson:1', { n: 1 }],
      ['a.ndjson:2', expect.stringMatching(/^error: a\.ndjson:2: invalid JSON: /)],
      ['a.ndjson:3', { n: 3 }],
    ]);
  });

  it('reads a gzipped JSON Lines file', async () => {
    const path = write('a.jsonl.gz', gzipSync('{"n":1}\n{"n":2}\n'));
    expect(summary(await readAll([path]))).toEqual([
      ['a.jsonl.gz:1', { n: 1 }],
      ['a.jsonl.gz:2', { n: 2 }],
    ]);
  });

  it('reports a truncated gzipped JSON Lines file after the lines it could read', async () => {
    const lines = Array.from({ length: 2000 }, (_, n) =>
      JSON.stringify({ n, pad: 'x'.repeat(40 + (n % 17)) }),
    );
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const path = write('a.jsonl.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const reads = await readAll([path]);
    const last = reads.at(-1);
    expect(reads.length).toBeGreaterThan(2);
    expect(last && 'error' in last && last.error.message).toMatch(
      /a\.jsonl\.gz: truncated gzip data \(unexpected end of file\) after line \d+$/,
    );
  });

  it('reads a .json file holding one JSON value per line line by line', async () => {
    const path = write('export.json', '{"n":1}\n{"n":2}\n');
    expect(summary(await readAll([path]))).toEqual([
      ['export.json:1', { n: 1 }],
      ['export.json:2', { n: 2 }],
    ]);
  });

  it('walks a directory recursively in sorted order, skipping dotfiles and other extensions', async () => {
    write('b/2.json', '{"n":2}');
    write('b/1.json.gz', gzipSync('{"n":1}'));
    write('a.jsonl', '{"n":0}\n');
    write('.hidden/x.json', '{"n":9}');
    write('b/.x.json', '{"n":9}');
    write('b/notes.txt', 'not json');
    const skipped: string[] = [];
    const reads = await readAll([dir], (path) => skipped.push(path.replace(`${dir}/`, '')));
    expect(summary(reads)).toEqual([
      ['a.jsonl:1', { n: 0 }],
      ['b/1.json.gz', { n: 1 }],
      ['b/2.json', { n: 2 }],
    ]);
    expect(skipped).toEqual(['b/notes.txt']);
  });

  it('passes over CloudTrail digest folders, as index does: they hold no events', async () => {
    write('AWSLogs/1/CloudTrail/r/a.json.gz', gzipSync(trail));
    write('AWSLogs/1/CloudTrail-Digest/r/d.json.gz', gzipSync('{"digestStartTime":"x","logFiles":[]}'));
    const skipped: string[] = [];
    const reads = await readAll([dir], (path) => skipped.push(path.replace(`${dir}/`, '')));
    expect(summary(reads)).toEqual([['AWSLogs/1/CloudTrail/r/a.json.gz', JSON.parse(trail)]]);
    expect(skipped).toEqual(['AWSLogs/1/CloudTrail-Digest']);
  });

  it('reads a file named explicitly whatever its extension', async () => {
    expect(summary(await readAll([write('events.txt', '{"n":1}')]))).toEqual([['events.txt', { n: 1 }]]);
  });

  it('reports a path that does not exist and goes on with the next', async () => {
    const next = write('b.json', '{"n":1}');
    expect(summary(await readAll([join(dir, 'missing.json'), next]))).toEqual([
      ['missing.json', 'error: missing.json: no such file or directory'],
      ['b.json', { n: 1 }],
    ]);
  });

  it('refuses a document larger than maxBytes', async () => {
    const path = write('big.json.gz', gzipSync(`[${'0,'.repeat(5000)}0]`));
    const reads: DocumentRead[] = [];
    for await (const read of readDocuments([path], { maxBytes: 1000 })) reads.push(read);
    expect(summary(reads)).toEqual([
      ['big.json.gz', 'error: big.json.gz: larger than 1000 bytes once decompressed; not read'],
    ]);
  });
});

describe('readDocumentsBlocking', () => {
  it('gives the same documents and errors as startReading', async () => {
    const whole = gzipSync(trail);
    const big = JSON.stringify({ Records: Array.from({ length: 200 }, (_, i) => ({ eventName: `E${i}` })) });
    const files = [
      write('a.json', trail),
      write('b.json.gz', whole),
      write('c.json', whole),
      write('d.json.gz', whole.subarray(0, whole.length - 12)),
      write('e.json.gz', Buffer.concat([whole.subarray(0, 20), Buffer.alloc(40, 7), whole.subarray(60)])),
      write('f.json', '{"Records": [1,'),
      write('g.json', '  \n'),
      write('h.json', '\ufeff{"a":1}'),
      write('i.json', '{"a":1}\n{"b":2}\n'),
      write('j.jsonl.gz', gzipSync('{"a":1}\nnot json\n{"b":2}\n')),
      write('k.json.gz', gzipSync(big)),
      write('l.json', big),
      join(dir, 'missing.json'),
      dir,
    ];
    for (const path of files) {
      const entry = { path, lineDelimited: path.includes('.jsonl') };
      for (const maxBytes of [undefined, 1000]) {
        const options = maxBytes === undefined ? {} : { maxBytes };
        const blocking: DocumentRead[] = [];
        for await (const read of readDocumentsBlocking(entry, options)) blocking.push(read);
        const pooled: DocumentRead[] = [];
        for await (const read of startReading(entry, options)()) pooled.push(read);
        expect(summary(blocking), `${path} ${maxBytes}`).toEqual(summary(pooled));
        expect(blocking.map((r) => ('error' in r ? r.error.name : r.bytes))).toEqual(
          pooled.map((r) => ('error' in r ? r.error.name : r.bytes)),
        );
      }
    }
  });
});
