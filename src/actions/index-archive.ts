import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { isS3Url, parseS3Url, S3ArchiveError } from '../aws/s3-location.js';
import { errorReporter, ProgressLine } from '../cli/output/progress.js';
import type { InputError } from '../core/errors.js';
import { identifiersOf, isIndexable } from '../core/identifiers.js';
import type { JsonObject, Principal, TrailEvent } from '../core/model.js';
import { looksLikeTrailRecord, parseSkimmedTrailLog, parseTrailRecord } from '../core/parse/cloudtrail.js';
import { parseDocument } from '../core/parse/document.js';
import { asInputError } from '../core/parse/issues.js';
import { isSharedIdentity } from '../core/parse/trail-identities.js';
import { identityKeyValues } from '../core/principal/identity.js';
import { principalOfEvent } from '../core/principal.js';
import { type StoredEvent, storedEventOf } from '../core/timeline.js';
import { TupleCache } from '../core/tuple-cache.js';
import {
  type FileBatch,
  IndexFileError,
  type IndexMode,
  SCHEMA_VERSION,
  SqliteEventIndex,
} from '../index/sqlite.js';
import {
  documentsOfBytes,
  readDocumentsBlocking,
  type SkimRead,
  type TrailLogRead,
} from '../io/read-documents.js';
import type { ReadFailure } from '../io/read-failure.js';
import { walkFiles } from '../io/walk.js';

export interface IndexContext {
  /** Local files or directories, and `s3://bucket/prefix` addresses. */
  readonly sources: readonly string[];
  /** The SQLite index file, created when missing. */
  readonly db: string;
  /** Keep read-only and failed calls too (`--all`); by default only successful writes. */
  readonly all: boolean;
  /** Draw a progress line on stderr. */
  readonly progress: boolean;
  /** How many input errors to print before only counting them; 0 prints all. */
  readonly maxErrors: number;
  /** The S3 client for `s3://` sources, created on first use. */
  readonly s3?: () => S3Client;
  /** @default Date.now */
  readonly now?: () => number;
  /** Events written per transaction (whole files always); @default 100 000 */
  readonly batchEvents?: number;
  /** A batch is also written once this old, so that queries see progress; ms. @default 2000 */
  readonly batchMs?: number;
}

export interface IndexStreams {
  readonly stderr: Writable & { isTTY?: boolean };
}

export interface IndexSummary {
  /** Files (and S3 objects) found. */
  files: number;
  /** Files read and recorded in this run. */
  indexedFiles: number;
  /** Files skipped because the index already holds them unchanged. */
  unchangedFiles: number;
  /** Files that could not be read (corrupt, truncated, missing): reported, not recorded, read again next run. */
  failedFiles: number;
  /** CloudTrail events read from the files indexed. */
  events: number;
  /** Events kept (successful writes, or every event with `--all`). */
  kept: number;
  /** Kept events new to the index. */
  inserted: number;
  /** Kept events the index already had. */
  duplicates: number;
  /** Read-only and failed calls not kept (without `--all`). */
  notKept: number;
  errors: number;
  /** Decompressed JSON bytes read. */
  bytes: number;
  seconds: number;
  /** Events read per second. */
  eventsPerSecond: number;
  /** Events kept per second: the indexing throughput of write events. */
  keptPerSecond: number;
  /** Documents of another kind than CloudTrail (AWS Config, ...), by kind: counted, not indexed. */
  skipped: Record<string, number>;
}

export interface IndexResult {
  readonly exitCode: number;
  readonly summary: IndexSummary;
}

/** One file to read: where it is, what tells whether it changed, and how to read it. */
interface Candidate {
  readonly path: string;
  readonly size: number;
  readonly version: string;
  readonly read: () => Promise<SkimRead[]>;
}

/** A lead value (see `of`), the key values of the userIdentity block, then these event fields. */
const PRINCIPAL_KEY_LENGTH = 1 + 13 + 4;

/**
 * `principalOfEvent` depends only on these inputs (of userIdentity, only on what `identityKeyValues`
 * keeps, which leaves out its per-session noise), and a CloudTrail archive repeats the same callers over
 * and over: the principal is worked out once per distinct caller. Bounded, so a long run over millions
 * of sessions does not grow without limit.
 */
export class PrincipalCache {
  readonly #cache: TupleCache<Principal>;
  /**
   * By shared userIdentity block (`isSharedIdentity`: the same text, so the same key values), then by
   * the event fields: no key values to read out of the block again.
   */
  readonly #byIdentity = new WeakMap<JsonObject, TupleCache<Principal>>();
  readonly #max: number;

  public constructor(max = 50_000) {
    this.#max = max;
    this.#cache = new TupleCache(PRINCIPAL_KEY_LENGTH, max, 0);
  }

  public of(event: TrailEvent): Principal {
    if (!isSharedIdentity(event.userIdentity)) return this.#ofKey(event);
    let byFields = this.#byIdentity.get(event.userIdentity);
    if (byFields === undefined) {
      // Found by source address, the field of the four that varies most for one identity.
      byFields = new TupleCache(4, this.#max, 3);
      this.#byIdentity.set(event.userIdentity, byFields);
    }
    const fields = [
      event.eventSource,
      event.userAgent,
      event.sessionCredentialFromConsole,
      event.sourceIPAddress,
    ];
    let principal = byFields.get(fields);
    if (principal === undefined) {
      principal = this.#ofKey(event);
      byFields.set(fields, principal);
    }
    return principal;
  }

  #ofKey(event: TrailEvent): Principal {
    const values = identityKeyValues(event.userIdentity);
    // Entries are found by the caller's ARN, or what stands for it (an AWS service's name, a principal
    // id); the whole key is compared after.
    const key: unknown[] = [values[1] ?? values[2] ?? values[3], ...values];
    key.push(event.userAgent, event.sessionCredentialFromConsole, event.sourceIPAddress, event.eventSource);
    let principal = this.#cache.get(key);
    if (principal === undefined) {
      principal = principalOfEvent(event);
      this.#cache.set(key, principal);
    }
    return principal;
  }
}

export interface DocumentEvents {
  readonly events: TrailEvent[];
  readonly errors: InputError[];
  /** Records not parsed because they are read-only or failed calls (only when `keepAll` is false). */
  readonly notKept: number;
  readonly kind: 'cloudtrail' | 'config' | 'unknown';
  readonly skipped: Record<string, number>;
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/**
 * The CloudTrail events of one document. A CloudTrail log file (`{"Records":[...]}` of plain records)
 * takes a fast path: unless `keepAll`, records that say they are read-only or failed are counted and
 * not parsed (they are most of an archive, and the index would not keep them); the others are
 * parsed one by one exactly as `parseDocument` does, with the same record numbers. Anything else goes
 * through `parseDocument`.
 */
export function eventsOfDocument(doc: unknown, source: string, keepAll: boolean): DocumentEvents {
  const records =
    typeof doc === 'object' && doc !== null && !Array.isArray(doc)
      ? (doc as JsonObject)['Records']
      : undefined;
  if (Array.isArray(records) && records.length > 0 && records.every(looksLikeTrailRecord)) {
    const events: TrailEvent[] = [];
    const errors: InputError[] = [];
    let notKept = 0;
    let insights = 0;
    records.forEach((record: JsonObject, index) => {
      if (!keepAll && (record['readOnly'] === true || isNonEmptyString(record['errorCode']))) {
        notKept += 1;
        return;
      }
      if (record['eventType'] === 'AwsCloudTrailInsight') {
        insights += 1;
        return;
      }
      try {
        events.push(parseTrailRecord(record, { source, record: index }));
      } catch (error) {
        errors.push(asInputError(error, { source, record: index }));
      }
    });
    return {
      events,
      errors,
      notKept,
      kind: 'cloudtrail',
      skipped: insights > 0 ? { AwsCloudTrailInsight: insights } : {},
    };
  }
  const parsed = parseDocument(doc, source);
  return {
    events: parsed.events,
    errors: parsed.errors,
    notKept: 0,
    kind: parsed.kind,
    skipped: parsed.kind === 'config' ? { 'AWS Config document': 1, ...parsed.skipped } : parsed.skipped,
  };
}

/**
 * `eventsOfDocument` for a log file handed over unparsed (`SkimOptions.skim`): read-only records are
 * recognised in its bytes and counted, not parsed; failed calls are parsed, then not kept. Undefined when
 * the file has to be parsed whole.
 */
export function eventsOfLog(read: TrailLogRead): DocumentEvents | undefined {
  const skimmed = parseSkimmedTrailLog(read.log, read.source, {
    // The index has no rules: a record's tail alone says whether it is kept.
    writesOnly: true,
  });
  if (skimmed === undefined) return undefined;
  // As `eventsOfDocument`: reads and failed calls are not kept (the first record is parsed whatever it is).
  const events = skimmed.events.filter((event) => !event.readOnly && !isNonEmptyString(event.errorCode));
  return {
    events,
    errors: skimmed.errors,
    notKept: skimmed.unparsed + skimmed.events.length - events.length,
    kind: 'cloudtrail',
    skipped: skimmed.skipped,
  };
}

/** The events of each document of a read, or why it could not be read. */
function eventsOfRead(read: SkimRead, keepAll: boolean): (DocumentEvents | ReadFailure)[] {
  if ('error' in read) return [read];
  if ('log' in read) {
    const skimmed = eventsOfLog(read);
    if (skimmed !== undefined) return [skimmed];
    return documentsOfBytes(read.source, read.log).flatMap((doc) => eventsOfRead(doc, keepAll));
  }
  return [eventsOfDocument(read.doc, read.source, keepAll)];
}

/** Reads ahead: up to `depth` items are being read while the current one is processed. */
async function* readAhead<T, U>(
  items: AsyncIterable<T>,
  read: (item: T) => Promise<U>,
  depth = 2,
): AsyncGenerator<{ item: T; result: U }> {
  const queue: { item: T; result: Promise<U> }[] = [];
  for await (const item of items) {
    queue.push({ item, result: read(item) });
    if (queue.length > depth) {
      const head = queue.shift()!;
      yield { item: head.item, result: await head.result };
    }
  }
  while (queue.length > 0) {
    const head = queue.shift()!;
    yield { item: head.item, result: await head.result };
  }
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const read of source) out.push(read);
  return out;
}

function emptySummary(): IndexSummary {
  return {
    files: 0,
    indexedFiles: 0,
    unchangedFiles: 0,
    failedFiles: 0,
    events: 0,
    kept: 0,
    inserted: 0,
    duplicates: 0,
    notKept: 0,
    errors: 0,
    bytes: 0,
    seconds: 0,
    eventsPerSecond: 0,
    keptPerSecond: 0,
    skipped: {},
  };
}

/**
 * Builds or extends the persistent index from CloudTrail archives, local or in S3. A file already
 * indexed with the same size and ETag (S3) or mtime (local) is skipped. A file that cannot be read
 * whole (corrupt or truncated gzip, invalid JSON) is reported and skipped without a trace in the index;
 * a bad record is reported and its neighbours are kept. Files are written in batches of whole files,
 * one transaction each.
 */
export async function indexArchive(ctx: IndexContext, streams: IndexStreams): Promise<IndexResult> {
  const now = ctx.now ?? Date.now;
  const summary = emptySummary();
  const startedAt = now();
  // Sources that are all missing local paths (a typo) create no index file.
  const missing = ctx.sources.filter((source) => !isS3Url(source) && !existsSync(source));
  if (missing.length > 0 && missing.length === ctx.sources.length && !existsSync(ctx.db)) {
    for (const source of missing) streams.stderr.write(`cloudblame: ${source}: no such file or directory\n`);
    streams.stderr.write(`cloudblame: nothing indexed; no index was created at ${ctx.db}\n`);
    return { exitCode: 1, summary };
  }
  if (ctx.sources.length === 0 && !existsSync(ctx.db)) {
    streams.stderr.write(
      `cloudblame: nothing to index: give CloudTrail files, directories or s3://bucket/prefix (no index at ${ctx.db} yet)\n`,
    );
    return { exitCode: 2, summary };
  }
  let index: SqliteEventIndex;
  try {
    index = SqliteEventIndex.open(ctx.db);
  } catch (error) {
    if (!(error instanceof IndexFileError)) throw error;
    streams.stderr.write(`cloudblame: ${error.message}\n`);
    return { exitCode: 2, summary };
  }
  if (index.upgradedFrom !== undefined) {
    const seconds = ((now() - startedAt) / 1000).toFixed(1);
    streams.stderr.write(
      `cloudblame: upgraded ${ctx.db} from index schema ${index.upgradedFrom} to ${SCHEMA_VERSION} in ${seconds} s\n`,
    );
  }
  // With no sources, the run only upgrades an existing index (what `who` asks for when it finds an old one).
  if (ctx.sources.length === 0) {
    const upgraded = index.upgradedFrom !== undefined;
    index.close();
    if (!upgraded)
      streams.stderr.write(
        `cloudblame: ${ctx.db} is up to date (index schema ${SCHEMA_VERSION}); to add to it, give CloudTrail files, directories or s3://bucket/prefix\n`,
      );
    return { exitCode: 0, summary };
  }
  const progress = new ProgressLine(streams.stderr, ctx.progress);
  const report = errorReporter(streams.stderr, progress, ctx.maxErrors, () => {
    summary.errors += 1;
  });
  const mode: IndexMode = ctx.all ? 'all' : 'writes';
  const principals = new PrincipalCache();
  const batchEvents = ctx.batchEvents ?? 100_000;
  const batchMs = ctx.batchMs ?? 2000;
  // Files are written as they are read, into a transaction that is committed every `batchEvents` events
  // or `batchMs`: a file's events are not held until its batch is written, and a killed run still leaves
  // whole batches of files. Each commit writes every page the batch touched to the log, and key rows land
  // all over their table: 100,000 events a commit wrote a third fewer bytes than 20,000 (215 against 328
  // MB for the bench's 300,000 write events), and the 2 s bound keeps queries seeing progress.
  let open = false;
  let batchFiles = 0;
  let batchSize = 0;
  let batchStartedAt = now();
  let sourcesRead = 0;

  let batchesWritten = 0;
  const flush = (): void => {
    if (!open) return;
    index.commit();
    open = false;
    summary.indexedFiles += batchFiles;
    batchFiles = 0;
    batchSize = 0;
    batchStartedAt = now();
    batchesWritten += 1;
  };
  const write = (file: FileBatch): void => {
    if (!open) {
      index.begin();
      open = true;
    }
    const written = index.writeFile(file, now());
    summary.inserted += written.inserted;
    summary.duplicates += written.duplicates;
    batchFiles += 1;
    batchSize += file.events.length;
    if (batchSize >= batchEvents || now() - batchStartedAt >= batchMs) flush();
  };

  const showProgress = (): void => {
    const seconds = Math.max(0.001, (now() - startedAt) / 1000);
    progress.update(
      `${summary.files} files (${summary.unchangedFiles} unchanged, ${summary.failedFiles} failed), ` +
        `${summary.events} events, ${summary.kept} kept, ${Math.round(summary.events / seconds)} events/s`,
    );
  };

  const indexFile = (candidate: Candidate, reads: readonly SkimRead[]): void => {
    const documents = reads.flatMap((read) => eventsOfRead(read, ctx.all));
    // A file that cannot be read whole leaves no trace: none of its events, no files row.
    const fileError = documents.find((doc) => 'error' in doc && doc.source === candidate.path);
    if (fileError !== undefined && 'error' in fileError) {
      summary.failedFiles += 1;
      report(fileError.error.message);
      return;
    }
    for (const read of reads) if (!('error' in read)) summary.bytes += read.bytes;
    const events: StoredEvent[] = [];
    let errors = 0;
    for (const parsed of documents) {
      if ('error' in parsed) {
        errors += 1;
        report(parsed.error.message);
        continue;
      }
      for (const error of parsed.errors) {
        errors += 1;
        report(error.message);
      }
      for (const [kind, n] of Object.entries(parsed.skipped)) {
        summary.skipped[kind] = (summary.skipped[kind] ?? 0) + n;
      }
      summary.events += parsed.events.length + parsed.notKept;
      summary.notKept += parsed.notKept;
      for (const event of parsed.events) {
        if (!ctx.all && !isIndexable(event)) {
          summary.notKept += 1;
          continue;
        }
        events.push(storedEventOf(event, principals.of(event), identifiersOf(event)));
      }
    }
    summary.kept += events.length;
    write({ path: candidate.path, size: candidate.size, version: candidate.version, mode, errors, events });
  };

  const unchanged = (candidate: { path: string; size: number; version: string }): boolean => {
    const state = index.fileState(candidate.path);
    return (
      state !== undefined &&
      state.size === candidate.size &&
      state.version === candidate.version &&
      (state.mode === 'all' || mode === 'writes')
    );
  };

  async function* candidates(source: string): AsyncGenerator<Candidate> {
    if (isS3Url(source)) {
      const client = ctx.s3?.();
      if (client === undefined) throw new S3ArchiveError(`no S3 client to read ${source}`, s3Context(source));
      const location = parseS3Url(source);
      // Loaded only for S3 sources: the AWS SDK is a good part of a local run's start.
      const { listArchiveObjects, readArchiveObject } = await import('../aws/s3-archive.js');
      for await (const object of listArchiveObjects(client, location)) {
        summary.files += 1;
        const candidate = { path: object.source, size: object.size, version: object.etag };
        if (unchanged(candidate)) {
          summary.unchangedFiles += 1;
          continue;
        }
        yield { ...candidate, read: () => readArchiveObject(client, object, { skim: !ctx.all }) };
      }
      return;
    }
    // Blocking: local files are read on this thread too (see below), so the walk has nothing to overlap.
    for await (const file of walkFiles([source], { stat: true, blocking: true })) {
      summary.files += 1;
      if ('failed' in file) {
        summary.failedFiles += 1;
        report(file.failed.error.message);
        continue;
      }
      const candidate = { path: file.path, size: file.size, version: String(file.mtimeMs) };
      if (unchanged(candidate)) {
        summary.unchangedFiles += 1;
        continue;
      }
      yield { ...candidate, read: () => collect(readDocumentsBlocking(file, { skim: !ctx.all })) };
    }
  }

  try {
    for (const source of ctx.sources) {
      try {
        // S3 objects are fetched ahead while a file is parsed; local files are read on this thread when
        // their turn comes (on a page-cached archive the thread pool's round trips cost more than they overlap).
        const depth = isS3Url(source) ? 2 : 0;
        for await (const { item, result } of readAhead(candidates(source), (c) => c.read(), depth)) {
          const written = batchesWritten;
          indexFile(item, result);
          showProgress();
          // Local files are read without a trip through the event loop: after each batch written, let
          // timers, signals and anything else waiting on it run.
          if (batchesWritten !== written) await new Promise<void>((resolve) => setImmediate(resolve));
        }
        sourcesRead += 1;
      } catch (error) {
        if (!(error instanceof S3ArchiveError)) throw error;
        report(error.message);
      }
    }
    flush();
  } finally {
    // After an error: none of the batch being written is kept (the files are read again next time).
    if (open) index.rollback();
    progress.clear();
    try {
      index.checkpoint();
      index.optimize();
    } finally {
      index.close();
    }
  }
  summary.seconds = Math.max(0, (now() - startedAt) / 1000);
  summary.eventsPerSecond = summary.seconds > 0 ? Math.round(summary.events / summary.seconds) : 0;
  summary.keptPerSecond = summary.seconds > 0 ? Math.round(summary.kept / summary.seconds) : 0;
  streams.stderr.write(`${formatIndexSummary(summary, ctx.db)}\n`);
  const nothing = summary.files === 0 || (summary.indexedFiles === 0 && summary.unchangedFiles === 0);
  if (nothing) {
    streams.stderr.write(
      summary.files === 0 && summary.errors > 0
        ? 'cloudblame: no archive file could be listed or read (the errors above say why)\n'
        : sourcesRead === 0 || summary.files === 0
          ? 'cloudblame: no archive file found\n'
          : 'cloudblame: no archive file could be read\n',
    );
  }
  return { exitCode: nothing ? 1 : 0, summary };
}

function s3Context(target: string): S3ArchiveError['context'] {
  return { service: 's3', operation: 'ListObjectsV2', target, retryable: false };
}

export function formatIndexSummary(s: IndexSummary, db: string): string {
  const skipped = Object.entries(s.skipped)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  return (
    `cloudblame: ${s.files} files (${s.indexedFiles} indexed, ${s.unchangedFiles} unchanged, ${s.failedFiles} failed), ` +
    `${s.events} events read, ${s.kept} kept (${s.inserted} new, ${s.duplicates} already indexed), ` +
    `${s.notKept} reads or failed calls not kept, ${s.errors} errors` +
    (skipped ? ` (skipped: ${skipped})` : '') +
    ` in ${s.seconds.toFixed(1)} s (${s.eventsPerSecond} events/s) into ${db}`
  );
}

/**
 * For benchmarks and scripts: indexes local paths (or `s3://` with `s3`) into `db` with no output,
 * and returns the summary (throughput in `eventsPerSecond`).
 */
export async function bulkIndex(
  paths: readonly string[],
  db: string,
  options: { readonly all?: boolean; readonly s3?: () => S3Client; readonly batchEvents?: number } = {},
): Promise<IndexSummary> {
  const sink = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  const { summary } = await indexArchive(
    {
      sources: paths,
      db,
      all: options.all ?? false,
      progress: false,
      maxErrors: 0,
      ...(options.s3 !== undefined && { s3: options.s3 }),
      ...(options.batchEvents !== undefined && { batchEvents: options.batchEvents }),
    },
    { stderr: sink },
  );
  return summary;
}
