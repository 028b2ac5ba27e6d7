import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverAll } from '../../src/sinks/deliver.js';
import { FileSinkError } from '../../src/sinks/errors.js';
import { FileSink } from '../../src/sinks/file.js';
import { MemoryIdempotencyStore } from '../../src/sinks/idempotency.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudblame-file-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileSink', () => {
  it('appends one JSON line per delivery, once per key', async () => {
    const path = join(dir, 'findings.jsonl');
    const sink = new FileSink({ path });
    const store = new MemoryIdempotencyStore();
    await deliverAll(
      [
        { sink, payload: { type: 'json', json: { n: 1, text: 'a\nb' } }, key: 'k1' },
        { sink, payload: { type: 'text', subject: 'S', text: 'T' }, key: 'k2' },
        { sink, payload: { type: 'json', json: { n: 1 } }, key: 'k1' },
      ],
      store,
    );
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toEqual(['{"n":1,"text":"a\\nb"}', '{"subject":"S","text":"T"}', '']);
  });

  it('writes to a stream', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const sink = new FileSink({ stream });
    expect(sink.name).toBe('stdout');
    const report = await deliverAll(
      [{ sink, payload: { type: 'json', json: [1] }, key: 'k' }],
      new MemoryIdempotencyStore(),
    );
    expect(report.delivered).toEqual(['stdout|k']);
    expect(chunks.join('')).toBe('[1]\n');
  });

  it('reports a write that fails, without retrying what cannot succeed', async () => {
    const sink = new FileSink({ path: join(dir, 'missing', 'findings.jsonl') });
    const report = await deliverAll(
      [{ sink, payload: { type: 'json', json: {} }, key: 'k' }],
      new MemoryIdempotencyStore(),
      {
        sleep: async () => undefined,
      },
    );
    const error = report.failed[0]?.error;
    expect(error).toBeInstanceOf(FileSinkError);
    expect(error?.context).toMatchObject({ attempts: 1, retryable: false });
    expect(error?.message).toContain('ENOENT');
  });

  it('reports a broken stream instead of crashing', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE'));
      },
    });
    const sink = new FileSink({ name: 'out', stream });
    const first = await deliverAll(
      [{ sink, payload: { type: 'json', json: {} }, key: 'a' }],
      new MemoryIdempotencyStore(),
    );
    expect(first.failed[0]?.error.message).toContain('EPIPE');
    const second = await deliverAll(
      [{ sink, payload: { type: 'json', json: {} }, key: 'b' }],
      new MemoryIdempotencyStore(),
    );
    expect(second.failed).toHaveLength(1);
  });
});
