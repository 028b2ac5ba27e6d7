import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
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
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
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

function failure(source: string, problem: string, cause?: unknown): DocumentRead {
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

async function readWhole(path: string, maxBytes: number): Promise<DocumentRead[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of await openText(path)) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes)
        return [failure(path, `larger than ${maxBytes} bytes once decompressed; not read`)];
      chunks.push(buffer);
    }
  } catch (error) {
    return [failure(path, reasonOf(error), error)];
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (text.trim() === '') return [failure(path, 'empty file')];
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

async function* readPath(path: string, explicit: boolean, walk: Walk): AsyncGenerator<DocumentRead> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    yield failure(path, reasonOf(error), error);
    return;
  }
  if (info.isDirectory()) {
    yield* readDirectory(path, walk);
  } else if (!info.isFile()) {
    yield failure(path, 'not a regular file or directory');
  } else if (explicit || READABLE.test(path)) {
    // A file named on the command line is read whatever its extension: the user asked for it.
    if (LINE_DELIMITED.test(path)) yield* readLineDelimited(path);
    else yield* await readWhole(path, walk.options.maxBytes ?? DEFAULT_MAX_BYTES);
  } else {
    walk.options.onSkip?.(path);
  }
}

async function* readDirectory(path: string, walk: Walk): AsyncGenerator<DocumentRead> {
  let names: string[];
  try {
    const real = await realpath(path);
    if (walk.entered.has(real)) return;
    walk.entered.add(real);
    names = await readdir(path);
  } catch (error) {
    yield failure(path, reasonOf(error), error);
    return;
  }
  for (const name of names.filter((n) => !skipName(n)).sort(byName)) {
    yield* readPath(join(path, name), false, walk);
  }
}

/**
 * The JSON documents in `paths`, in order: files as named, directories walked recursively in sorted
 * order (dotfiles skipped; only `.json`, `.jsonl`, `.ndjson` and `.gz` files). Gzip is recognised by its
 * magic bytes. `.jsonl`/`.ndjson` files are streamed line by line; a `.json` file that is not one JSON
 * value but one per line is read per line too. A file that cannot be read or parsed gives an error
 * naming it, and reading goes on with the next.
 */
export async function* readDocuments(
  paths: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<DocumentRead> {
  const walk: Walk = { options, entered: new Set() };
  for (const path of paths) yield* readPath(path, true, walk);
}
