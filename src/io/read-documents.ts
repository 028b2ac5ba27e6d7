import * as fs from 'node:fs';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip, gunzipSync } from 'node:zlib';
import { parseJson } from '../core/parse/shape.js';
import { isCompactTrailLog } from '../core/parse/trail-skim.js';
import { failure, type ReadFailure, reasonOf } from './read-failure.js';
import { type WalkedFile, type WalkOptions, walkFiles } from './walk.js';

// The walk `readDocuments` reads, for readers that take the files one by one (bench/throughput/floor.ts).

/**
 * One JSON document read from disk, or why a file (or one line of it) could not be read. Line-delimited
 * files give one document per non-blank line, named `path:line` (1-based) like compilers and grep do.
 */
export type DocumentRead =
  | {
      readonly source: string;
      readonly doc: unknown;
      /** Length of the document's JSON text in bytes (after gunzip). */
      readonly bytes: number;
      /** 1-based line number, for documents read from a line-delimited file. */
      readonly line?: number;
    }
  | ReadFailure;

/**
 * A CloudTrail log file in the compact form CloudTrail writes, left unparsed (`SkimOptions.skim`), for a
 * reader that parses only the records it needs (`parseSkimmedTrailLog`) and the rest with `documentsOfBytes`.
 */
export interface TrailLogRead {
  readonly source: string;
  /** The file's decompressed bytes. */
  readonly log: Buffer;
  readonly bytes: number;
}

export type SkimRead = DocumentRead | TrailLogRead;

export interface ReadOptions extends Pick<WalkOptions, 'onSkip'> {
  /**
   * Largest JSON document (decompressed) read whole; a larger one is an error rather than an
   * exhausted heap (a gzip bomb, or a file that is not what it seems). @default 512 MiB
   */
  readonly maxBytes?: number;
  /** Whole files read ahead of the one being parsed (0: one file after the other). @default READ_AHEAD */
  readonly readAhead?: number;
}

export interface SkimOptions extends ReadOptions {
  /** Hand CloudTrail log files in CloudTrail's compact form over unparsed, as `TrailLogRead`s. */
  readonly skim: boolean;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
/**
 * Files up to this size (on disk) are read in one call and gunzipped in one call: two trips to the thread
 * pool instead of one per 64 KiB chunk, which is most of the cost of a CloudTrail archive's many small
 * files. Larger files are streamed, so a huge one never sits in memory compressed and decompressed at once.
 */
const ONE_SHOT_LIMIT = 32 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);
const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/**
 * The file's text, gunzipped when it is gzip whatever its name. `pipeline` ties the two streams
 * together: an error in either reaches the reader, and a reader that stops early closes the file.
 */
async function openText(path: string): Promise<Readable> {
  const gzip = await isGzip(path);
  const file = createReadStream(path);
  if (!gzip) return file;
  return pipeline(file, createGunzip(), () => {
    // Errors are delivered to the reader through the gunzip stream.
  });
}

/** `at position N` in V8's JSON.parse message, as a line and column a person can go to. */
function locateJsonError(text: string, reason: string): string {
  const match = /at position (\d+)/.exec(reason);
  if (match?.[1] === undefined || /\bline \d+/.test(reason)) return reason;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${reason} (line ${line} column ${column})`;
}

/** Several lines, every one an object or array: JSON Lines under a `.json` name (e.g. a Logstash export). */
function looksLineDelimited(text: string): boolean {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.length >= 2 && lines.every((line) => /^\s*[[{]/.test(line));
}

/** One line of a line-delimited file; undefined for a blank line. */
function documentOfLine(path: string, line: number, text: string): DocumentRead | undefined {
  if (text.trim() === '') return undefined;
  const source = `${path}:${line}`;
  const parsed = parseJson(text);
  if (parsed.ok) return { source, doc: parsed.value, bytes: Buffer.byteLength(text), line };
  return failure(source, `invalid JSON: ${parsed.reason}`);
}

// One line at a time, so that a multi-gigabyte export never sits in memory whole.
async function* readLineDelimited(path: string): AsyncGenerator<DocumentRead> {
  let line = 0;
  let input: Readable | undefined;
  try {
    input = await openText(path);
    for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      line += 1;
      const read = documentOfLine(path, line, text);
      if (read !== undefined) yield read;
    }
  } catch (error) {
    yield failure(path, line === 0 ? reasonOf(error) : `${reasonOf(error)} after line ${line}`, error);
  } finally {
    input?.destroy();
  }
}

type Bytes = { readonly data: Buffer } | { readonly error: ReadFailure };

/** The file's bytes, streamed (and gunzipped when gzip), stopping once they pass `maxBytes`. */
async function streamBytes(path: string, maxBytes: number): Promise<Bytes> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of await openText(path)) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes)
        return { error: failure(path, `larger than ${maxBytes} bytes once decompressed; not read`) };
      chunks.push(buffer);
    }
  } catch (error) {
    return { error: failure(path, reasonOf(error), error) };
  }
  return { data: Buffer.concat(chunks) };
}

function isTooLarge(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE'
  );
}

/**
 * A whole file of at most `limit` bytes, or `undefined` when it is larger (nothing read then): open, fstat,
 * one read as a rule, close. Callbacks rather than `fs.promises`: four trips to the thread pool per file
 * either way, but no FileHandle and no promise per step, which an archive of many small files feels.
 */
function readSmallFile(path: string, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    fs.open(path, 'r', (openError, fd) => {
      if (openError !== null) {
        reject(openError);
        return;
      }
      const finish = (error: unknown, result?: Buffer): void => {
        fs.close(fd, (closeError) => {
          if (error !== null && error !== undefined) reject(error);
          else if (closeError !== null) reject(closeError);
          else resolve(result);
        });
      };
      fs.fstat(fd, (statError, info) => {
        if (statError !== null) {
          finish(statError);
          return;
        }
        const size = info.size;
        if (size > limit) {
          finish(null);
          return;
        }
        const buffer = Buffer.allocUnsafe(size);
        let filled = 0;
        const next = (): void => {
          if (filled >= size) {
            finish(null, buffer);
            return;
          }
          fs.read(fd, buffer, filled, size - filled, filled, (readError, bytesRead) => {
            if (readError !== null) finish(readError);
            else if (bytesRead === 0) finish(null, buffer.subarray(0, filled));
            else {
              filled += bytesRead;
              next();
            }
          });
        };
        next();
      });
    });
  });
}

/**
 * A whole file of at most `limit` bytes read on the calling thread, blocking it, or `undefined` when it is
 * larger (nothing read then): the same calls and outcomes as `readSmallFile`.
 */
function readSmallFileSync(path: string, limit: number): Buffer | undefined {
  const fd = fs.openSync(path, 'r');
  let result: Buffer | undefined;
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= limit) {
      const buffer = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const bytesRead = fs.readSync(fd, buffer, filled, size - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      result = filled < size ? buffer.subarray(0, filled) : buffer;
    }
  } catch (error) {
    try {
      fs.closeSync(fd);
    } catch {
      // The first error is the one reported, as readSmallFile reports it.
    }
    throw error;
  }
  fs.closeSync(fd);
  return result;
}

function isGzipBytes(raw: Buffer): boolean {
  return raw.length >= 2 && raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1];
}

function tooLargeBytes(path: string, maxBytes: number): Bytes {
  return { error: failure(path, `larger than ${maxBytes} bytes once decompressed; not read`) };
}

function gunzipFailure(path: string, maxBytes: number, error: unknown): Bytes {
  return isTooLarge(error) ? tooLargeBytes(path, maxBytes) : { error: failure(path, reasonOf(error), error) };
}

/** The file's bytes, gunzipped when gzip whatever its name; the same outcomes as `streamBytes`. */
async function fileBytes(path: string, maxBytes: number): Promise<Bytes> {
  let raw: Buffer;
  try {
    const small = await readSmallFile(path, ONE_SHOT_LIMIT);
    if (small === undefined) return await streamBytes(path, maxBytes);
    raw = small;
  } catch (error) {
    return { error: failure(path, reasonOf(error), error) };
  }
  if (!isGzipBytes(raw)) return raw.length > maxBytes ? tooLargeBytes(path, maxBytes) : { data: raw };
  try {
    return { data: await gunzipAsync(raw, { maxOutputLength: maxBytes, chunkSize: gunzipChunkSize(raw) }) };
  } catch (error) {
    return gunzipFailure(path, maxBytes, error);
  }
}

/**
 * `fileBytes` on the calling thread, blocking it: the same outcomes, or `undefined` for a file over
 * ONE_SHOT_LIMIT on disk (to be streamed).
 */
function fileBytesSync(path: string, maxBytes: number): Bytes | undefined {
  let raw: Buffer;
  try {
    const small = readSmallFileSync(path, ONE_SHOT_LIMIT);
    if (small === undefined) return undefined;
    raw = small;
  } catch (error) {
    return { error: failure(path, reasonOf(error), error) };
  }
  if (!isGzipBytes(raw)) return raw.length > maxBytes ? tooLargeBytes(path, maxBytes) : { data: raw };
  try {
    return { data: gunzipSync(raw, { maxOutputLength: maxBytes, chunkSize: gunzipChunkSize(raw) }) };
  } catch (error) {
    return gunzipFailure(path, maxBytes, error);
  }
}

const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;

/**
 * Output chunk size for a one-shot gunzip: the size the gzip trailer announces (ISIZE, the last four
 * bytes), within bounds. zlib's default (16 KiB) costs a callback, an allocation and a copy on the main
 * thread per 16 KiB of output, which for an archive adds up to more than the decompression itself. The
 * trailer is untrusted: it only sizes buffers (within bounds); `maxOutputLength` still limits the output.
 */
export function gunzipChunkSize(gzip: Buffer): number {
  const announced = gzip.length >= 4 ? gzip.readUInt32LE(gzip.length - 4) : 0;
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, announced + 1));
}

/** Not one character but white space (what `text.trim() === ''` says, without copying the text). */
function isBlank(text: string): boolean {
  return !/\S/.test(text);
}

/** The documents of a whole file's bytes (or why there are none). */
function documentsOf(path: string, bytes: Bytes, skim = false): SkimRead[] {
  return 'error' in bytes ? [bytes.error] : documentsOfBytes(path, bytes.data, skim);
}

/**
 * The documents of a file's (decompressed) bytes: one JSON value, or one per line (`path:line`); when
 * skimming, a CloudTrail log file in its compact form as it is (`TrailLogRead`).
 */
export function documentsOfBytes(path: string, data: Buffer, skim = false): SkimRead[] {
  if (skim && isCompactTrailLog(data)) return [{ source: path, log: data, bytes: data.length }];
  const size = data.length;
  let text = data.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (isBlank(text)) return [failure(path, 'empty file')];
  const parsed = parseJson(text);
  if (parsed.ok) return [{ source: path, doc: parsed.value, bytes: size }];
  if (looksLineDelimited(text)) {
    return text.split(/\r?\n/).flatMap((line, index) => documentOfLine(path, index + 1, line) ?? []);
  }
  // Bytes that reach here from a `.gz` name were not gzip (the magic bytes decide): say so first.
  const what = path.endsWith('.gz') ? 'named .gz but neither gzip-compressed nor valid JSON' : 'invalid JSON';
  return [failure(path, `${what}: ${locateJsonError(text, parsed.reason)}`)];
}

/**
 * Starts reading one file found by `walkFiles` now (a whole file is read and gunzipped on the thread
 * pool at once; a line-delimited one is streamed when its documents are asked for) and returns its
 * documents, to be asked for once.
 */
export function startReading(entry: WalkedFile, options: SkimOptions): () => AsyncGenerator<SkimRead>;
export function startReading(entry: WalkedFile, options?: ReadOptions): () => AsyncGenerator<DocumentRead>;
export function startReading(
  entry: WalkedFile,
  options: ReadOptions & Partial<SkimOptions> = {},
): () => AsyncGenerator<SkimRead> {
  if (entry.lineDelimited) return () => readLineDelimited(entry.path);
  const bytes = fileBytes(entry.path, options.maxBytes ?? DEFAULT_MAX_BYTES);
  // Awaited when the documents are asked for; never left to reject unobserved meanwhile.
  bytes.catch(() => undefined);
  return async function* documents() {
    yield* documentsOf(entry.path, await bytes, options.skim);
  };
}

/**
 * The documents of one file found by `walkFiles`, read and gunzipped on the calling thread, blocking it;
 * the same documents and errors as `startReading`. For a thread with nothing else to do while every core
 * is busy (a worker of `replay --workers N`): a trip to libuv's thread pool costs a wake-up of another
 * thread and a callback back, five per file, which on a machine whose cores are all parsing costs more
 * than it overlaps (about a third of the CPU of `replay --workers 2` on two cores). Line-delimited files
 * and files over ONE_SHOT_LIMIT are streamed, as `startReading` streams them.
 */
export function readDocumentsBlocking(entry: WalkedFile, options: SkimOptions): AsyncGenerator<SkimRead>;
export function readDocumentsBlocking(entry: WalkedFile, options?: ReadOptions): AsyncGenerator<DocumentRead>;
export async function* readDocumentsBlocking(
  entry: WalkedFile,
  options: ReadOptions & Partial<SkimOptions> = {},
): AsyncGenerator<SkimRead> {
  if (!entry.lineDelimited) {
    const bytes = fileBytesSync(entry.path, options.maxBytes ?? DEFAULT_MAX_BYTES);
    if (bytes !== undefined) {
      yield* documentsOf(entry.path, bytes, options.skim);
      return;
    }
  }
  yield* startReading(entry, options)();
}

/**
 * Whole files read ahead of the one being parsed. Reading and gunzipping happen on libuv's thread pool,
 * so while the caller works on one file the next ones are already on their way, as a CloudTrail archive's
 * many small files otherwise leave the process waiting on the disk and zlib most of the time. Memory: at
 * most this many files' decompressed bytes besides the current one.
 */
export const READ_AHEAD = 3;

type Pending =
  | { readonly entry: WalkedFile; readonly bytes?: Promise<Bytes> }
  | { readonly failed: DocumentRead };

/**
 * The JSON documents in `paths`, in order: the files `walkFiles` finds (files as named, directories walked
 * recursively in sorted order; dotfiles, CloudTrail digest folders and other extensions passed over; only
 * `.json`, `.jsonl`, `.ndjson` and `.gz` files). Gzip is recognised by its
 * magic bytes. `.jsonl`/`.ndjson` files are streamed line by line; a `.json` file that is not one JSON
 * value but one per line is read per line too. A file that cannot be read or parsed gives an error
 * naming it, and reading goes on with the next. Up to `readAhead` whole files are read ahead.
 */
export function readDocuments(paths: readonly string[], options: SkimOptions): AsyncGenerator<SkimRead>;
export function readDocuments(paths: readonly string[], options?: ReadOptions): AsyncGenerator<DocumentRead>;
export async function* readDocuments(
  paths: readonly string[],
  options: ReadOptions & Partial<SkimOptions> = {},
): AsyncGenerator<SkimRead> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const readAhead = Math.max(0, options.readAhead ?? READ_AHEAD);
  const walker = walkFiles(paths, options);
  const queue: Pending[] = [];
  let ahead = 0;
  let walked = false;
  const fill = async (): Promise<void> => {
    // At least the next file to parse is on its way.
    while (!walked && ahead < Math.max(1, readAhead)) {
      const next = await walker.next();
      if (next.done === true) {
        walked = true;
        return;
      }
      const entry = next.value;
      if ('failed' in entry) {
        queue.push({ failed: entry.failed });
      } else if (entry.lineDelimited) {
        queue.push({ entry });
      } else {
        const bytes = fileBytes(entry.path, maxBytes);
        // Awaited in turn below; never left to reject unobserved meanwhile.
        bytes.catch(() => undefined);
        queue.push({ entry, bytes });
        ahead += 1;
      }
    }
  };
  try {
    for (;;) {
      await fill();
      const item = queue.shift();
      if (item === undefined) return;
      if ('failed' in item) {
        yield item.failed;
      } else if (item.bytes === undefined) {
        yield* readLineDelimited(item.entry.path);
      } else {
        ahead -= 1;
        const bytes = await item.bytes;
        // The next files start on their way before this one is parsed.
        if (readAhead > 0) await fill();
        yield* documentsOf(item.entry.path, bytes, options.skim);
      }
    }
  } finally {
    await walker.return(undefined);
  }
}
