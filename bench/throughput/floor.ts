/**
 * The parsing floor: read, gunzip and `JSON.parse` every file of the archive and touch every record, with
 * no other work. It reads with replay's own reader (`readDocuments` in src/io/read-documents.ts: the
 * same walk, one-shot reads and gunzips, the same read-ahead), so that the ratio replay/floor is the cost
 * of what replay does with the records, nothing else.
 *
 * `--blocking` reads each file on the parsing thread instead (`readDocumentsBlocking`, as replay's worker
 * threads read): no trip to libuv's thread pool at all.
 *
 * `node dist/bench/throughput/floor.js [--read-ahead N | --blocking] PATH...` (N = 0: one file after the
 * other, nothing overlapping: the single-core floor) writes one JSON line to the file named by CLOUDBLAME_BENCH_STATS, or
 * to stdout: files, records, bytes, wallMs, maxRssKb, cpuMs.
 */
import { writeFileSync } from 'node:fs';
import { type DocumentRead, readDocuments, readDocumentsBlocking } from '../../src/io/read-documents.js';
import { walkFiles } from '../../src/io/walk.js';
import { processStats } from '../lib/child.js';

export interface FloorResult {
  readonly documents: number;
  readonly records: number;
  readonly bytes: number;
  readonly errors: number;
  readonly wallMs: number;
  /** Sum of eventName lengths: what "touching" produced, so nothing can be optimised away. */
  readonly checksum: number;
}

/** Every file read on this thread, one after the other, as replay's worker threads read them. */
async function* readBlocking(paths: readonly string[]): AsyncGenerator<DocumentRead> {
  for await (const entry of walkFiles(paths)) {
    if ('failed' in entry) yield entry.failed;
    else yield* readDocumentsBlocking(entry);
  }
}

/** `readAhead`: files read ahead on the thread pool, or 'blocking' for none of it. */
export async function floor(paths: readonly string[], readAhead: number | 'blocking'): Promise<FloorResult> {
  const started = performance.now();
  let documents = 0;
  let records = 0;
  let bytes = 0;
  let errors = 0;
  let checksum = 0;
  const reads = readAhead === 'blocking' ? readBlocking(paths) : readDocuments(paths, { readAhead });
  for await (const read of reads) {
    if ('error' in read) {
      errors += 1;
      continue;
    }
    documents += 1;
    bytes += read.bytes;
    const list = (read.doc as { Records?: unknown } | null)?.Records;
    if (!Array.isArray(list)) continue;
    for (const rec of list) {
      records += 1;
      const name = (rec as { eventName?: unknown } | null)?.eventName;
      if (typeof name === 'string') checksum += name.length;
    }
  }
  return { documents, records, bytes, errors, wallMs: performance.now() - started, checksum };
}

if (process.argv[1]?.endsWith('floor.js')) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--read-ahead');
  const readAhead = at >= 0 ? Number(args.splice(at, 2)[1]) : 0;
  const blocking = args.indexOf('--blocking');
  if (blocking >= 0) args.splice(blocking, 1);
  const result = await floor(args, blocking >= 0 ? 'blocking' : readAhead);
  const statsFile = process.env['CLOUDBLAME_BENCH_STATS'];
  const line = JSON.stringify({ ...result, ...processStats() });
  if (statsFile !== undefined) writeFileSync(statsFile, line);
  else process.stdout.write(`${line}\n`);
}
