import * as fs from 'node:fs';
import { createReadStream, type Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip, gunzipSync } from 'node:zlib';
import { InputError } from '../core/errors.js';
import { escapeControl, parseJson } from '../core/parse/shape.js';

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
  | { readonly source: string; readonly error: InputError };

export interface ReadOptions {
  /** Called for each file a directory walk passes over because of its extension. */
  readonly onSkip?: (path: string) => void;
  /**
   * Largest JSON document (decompressed) read whole; a larger one is an error rather than an
   * exhausted heap (a gzip bomb, or a file that is not what it seems). @default 512 MiB
   */
  readonly maxBytes?: number;
  /** Whole files read ahead of the one being parsed (0: one file after the other). @default READ_AHEAD */
  readonly readAhead?: number;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
/**
 * Files up to this size (on disk) are read in one call and gunzipped in one call: two trips to the thread
 * pool instead of one per 64 KiB chunk, which is most of the cost of a CloudTrail archive's many small
 * files. Larger files are streamed, so a huge one never sits in memory compressed and decompressed at once.
 */
const ONE_SHOT_LIMIT = 32 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);
const READABLE = /\.(?:json|jsonl|ndjson)(?:\.gz)?$|\.gz$/i;
const LINE_DELIMITED = /\.(?:jsonl|ndjson)(?:\.gz)?$/i;
const GZIP_MAGIC = [0x1f, 0x8b];

const IO_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  Z_BUF_ERROR: 'truncated gzip data (unexpected end of file)',
  Z_DATA_ERROR: 'corrupt gzip data',
};

function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    const known = IO_REASONS[error.code];
    if (known !== undefined) return known;
  }
  return escapeControl(error instanceof Error ? error.message : String(error));
}

/** A file, line or path that could not be read, and why. */
export type ReadFailure = Extract<DocumentRead, { readonly error: InputError }>;

function failure(source: string, problem: string, cause?: unknown): ReadFailure {
  return { source, error: new InputError(problem, { source }, { cause }) };
}

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
function documentsOf(path: string, bytes: Bytes): DocumentRead[] {
  if ('error' in bytes) return [bytes.error];
  const size = bytes.data.length;
  let text = bytes.data.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (isBlank(text)) return [failure(path, 'empty file')];
  const parsed = parseJson(text);
  if (parsed.ok) return [{ source: path, doc: parsed.value, bytes: size }];
  if (looksLineDelimited(text)) {
    return text.split(/\r?\n/).flatMap((line, index) => documentOfLine(path, index + 1, line) ?? []);
  }
  return [failure(path, `invalid JSON: ${locateJsonError(text, parsed.reason)}`)];
}

function skipName(name: string): boolean {
  return name.startsWith('.');
}

function byName(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

interface Walk {
  readonly options: ReadOptions;
  /** Real paths of the directories entered so far, so a symbolic link loop is walked once. */
  readonly entered: Set<string>;
}

/** A file to read, or why a path could not be walked. */
export type WalkEntry =
  | { readonly path: string; readonly lineDelimited: boolean }
  | { readonly path: string; readonly failed: ReadFailure };

/**
 * @param known what the directory listing already said the entry is (a regular file needs no `stat`;
 *   anything else, symbolic links included, is looked at with `stat`).
 */
async function* walkPath(
  path: string,
  explicit: boolean,
  walk: Walk,
  known?: Dirent,
): AsyncGenerator<WalkEntry> {
  let isFile: boolean;
  if (known?.isFile() === true) {
    isFile = true;
  } else {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      yield { path, failed: failure(path, reasonOf(error), error) };
      return;
    }
    if (info.isDirectory()) {
      yield* walkDirectory(path, walk);
      return;
    }
    isFile = info.isFile();
  }
  if (!isFile) {
    yield { path, failed: failure(path, 'not a regular file or directory') };
  } else if (explicit || READABLE.test(path)) {
    // A file named on the command line is read whatever its extension: the user asked for it.
    yield { path, lineDelimited: LINE_DELIMITED.test(path) };
  } else {
    walk.options.onSkip?.(path);
  }
}

async function* walkDirectory(path: string, walk: Walk): AsyncGenerator<WalkEntry> {
  let entries: Dirent[];
  try {
    const real = await realpath(path);
    if (walk.entered.has(real)) return;
    walk.entered.add(real);
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    yield { path, failed: failure(path, reasonOf(error), error) };
    return;
  }
  const sorted = entries.filter((e) => !skipName(e.name)).sort((a, b) => byName(a.name, b.name));
  for (const entry of sorted) {
    yield* walkPath(join(path, entry.name), false, walk, entry);
  }
}

/**
 * The files `paths` name, in the order `readDocuments` reads them: files as named, directories walked
 * recursively in sorted order (dotfiles skipped; only `.json`, `.jsonl`, `.ndjson` and `.gz` files), each
 * directory once whatever symbolic links lead to it. A path that cannot be walked gives its error in place.
 */
export async function* walkFiles(
  paths: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<WalkEntry> {
  const walk: Walk = { options, entered: new Set() };
  for (const path of paths) yield* walkPath(path, true, walk);
}

/**
 * Starts reading one file found by `walkFiles` now (a whole file is read and gunzipped on the thread
 * pool at once; a line-delimited one is streamed when its documents are asked for) and returns its
 * documents, to be asked for once.
 */
export function startReading(
  entry: { readonly path: string; readonly lineDelimited: boolean },
  options: ReadOptions = {},
): () => AsyncGenerator<DocumentRead> {
  if (entry.lineDelimited) return () => readLineDelimited(entry.path);
  const bytes = fileBytes(entry.path, options.maxBytes ?? DEFAULT_MAX_BYTES);
  // Awaited when the documents are asked for; never left to reject unobserved meanwhile.
  bytes.catch(() => undefined);
  return async function* documents() {
    yield* documentsOf(entry.path, await bytes);
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
export async function* readDocumentsBlocking(
  entry: { readonly path: string; readonly lineDelimited: boolean },
  options: ReadOptions = {},
): AsyncGenerator<DocumentRead> {
  if (!entry.lineDelimited) {
    const bytes = fileBytesSync(entry.path, options.maxBytes ?? DEFAULT_MAX_BYTES);
    if (bytes !== undefined) {
      yield* documentsOf(entry.path, bytes);
      return;
    }
  }
  yield* startReading(entry, options)();
}

/**
 * The documents of one file already known to be a regular file (from `listArchiveFiles`, say), read as
 * `readDocuments` would read it when named alone, without looking at it again first.
 */
export function readFileDocuments(path: string, options: ReadOptions = {}): AsyncGenerator<DocumentRead> {
  return startReading({ path, lineDelimited: LINE_DELIMITED.test(path) }, options)();
}

/**
 * `readFileDocuments`, read and gunzipped on the calling thread (see `readDocumentsBlocking`): for a
 * single-threaded reader that has nothing to overlap with the disk but its own parsing, such as
 * `cloudblame index`, whose CPU would otherwise go on the thread pool's wake-ups and callbacks.
 */
export function readFileDocumentsBlocking(
  path: string,
  options: ReadOptions = {},
): AsyncGenerator<DocumentRead> {
  return readDocumentsBlocking({ path, lineDelimited: LINE_DELIMITED.test(path) }, options);
}

/**
 * Whole files read ahead of the one being parsed. Reading and gunzipping happen on libuv's thread pool,
 * so while the caller works on one file the next ones are already on their way, as a CloudTrail archive's
 * many small files otherwise leave the process waiting on the disk and zlib most of the time. Memory: at
 * most this many files' decompressed bytes besides the current one.
 */
export const READ_AHEAD = 3;

type Pending =
  | { readonly entry: WalkEntry & { lineDelimited: boolean }; readonly bytes?: Promise<Bytes> }
  | { readonly failed: DocumentRead };

/**
 * The JSON documents in `paths`, in order: files as named, directories walked recursively in sorted
 * order (dotfiles skipped; only `.json`, `.jsonl`, `.ndjson` and `.gz` files). Gzip is recognised by its
 * magic bytes. `.jsonl`/`.ndjson` files are streamed line by line; a `.json` file that is not one JSON
 * value but one per line is read per line too. A file that cannot be read or parsed gives an error
 * naming it, and reading goes on with the next. Up to `readAhead` whole files are read ahead.
 */
export async function* readDocuments(
  paths: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<DocumentRead> {
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
        yield* documentsOf(item.entry.path, bytes);
      }
    }
  } finally {
    await walker.return(undefined);
  }
}
