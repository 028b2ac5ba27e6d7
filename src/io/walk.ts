import { type Dirent, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { failure, type ReadFailure, reasonOf } from './read-failure.js';

/** The files an archive walk reads, on disk or in S3: JSON, JSON Lines and gzip. */
export const READABLE = /\.(?:json|jsonl|ndjson)(?:\.gz)?$|\.gz$/i;
const LINE_DELIMITED = /\.(?:jsonl|ndjson)(?:\.gz)?$/i;
/**
 * CloudTrail's digest files (`CloudTrail-Digest/`) prove the integrity of the log files; they hold no
 * events, so a directory walk passes over them, and so does the S3 archive listing.
 */
export const DIGEST_DIR = 'CloudTrail-Digest';

/** A file to read. */
export interface WalkedFile {
  readonly path: string;
  /** JSON Lines by its name (`.jsonl`, `.ndjson`, gzipped or not): read line by line. */
  readonly lineDelimited: boolean;
}

/** A file to read, with what tells whether it changed since it was last read. */
export interface StatedFile extends WalkedFile {
  readonly size: number;
  /** Whole milliseconds. */
  readonly mtimeMs: number;
}

/** A file to read, or why a path could not be walked. */
export type WalkEntry<F extends WalkedFile = WalkedFile> =
  | F
  | { readonly path: string; readonly failed: ReadFailure };

export interface WalkOptions {
  /**
   * Called for each path a directory walk passes over because of its name: a file of another extension,
   * a CloudTrail digest folder (not its files: it is not entered). Dotfiles are passed over silently.
   */
  readonly onSkip?: (path: string) => void;
  /** Give each file's size and modification time: one `stat` per file, which the walk saves otherwise. */
  readonly stat?: boolean;
  /**
   * Make each file-system call on the calling thread, blocking it, instead of on libuv's thread pool: for
   * a reader with nothing to overlap with the walk, which then saves a trip to the pool per call.
   */
  readonly blocking?: boolean;
}

/** The file-system calls of a walk, on the thread pool or on the calling thread. */
interface FileSystem {
  stat(path: string): Promise<Stats>;
  readdir(path: string): Promise<Dirent[]>;
  realpath(path: string): Promise<string>;
}

const POOLED: FileSystem = {
  stat: (path) => stat(path),
  readdir: (path) => readdir(path, { withFileTypes: true }),
  realpath: (path) => realpath(path),
};

const BLOCKING: FileSystem = {
  stat: async (path) => statSync(path),
  readdir: async (path) => readdirSync(path, { withFileTypes: true }),
  realpath: async (path) => realpathSync.native(path),
};

interface Walk {
  readonly options: WalkOptions;
  readonly fs: FileSystem;
  /** Real paths of the directories entered so far, so a symbolic link loop is walked once. */
  readonly entered: Set<string>;
}

function failed(path: string, error: unknown): WalkEntry {
  return { path, failed: failure(path, reasonOf(error), error) };
}

function byName(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * @param known what the directory listing already said the entry is: a regular file or a directory needs
 *   no `stat` to tell (a file needs one for its size when `options.stat` asks); anything else, symbolic
 *   links included, is looked at with `stat`.
 */
async function* walkPath(
  path: string,
  explicit: boolean,
  walk: Walk,
  known?: Dirent,
): AsyncGenerator<WalkEntry<WalkedFile | StatedFile>> {
  let info: Stats | undefined;
  if (known?.isDirectory() === true) {
    yield* walkDirectory(path, walk);
    return;
  }
  if (known?.isFile() !== true) {
    try {
      info = await walk.fs.stat(path);
    } catch (error) {
      yield failed(path, error);
      return;
    }
    if (info.isDirectory()) {
      yield* walkDirectory(path, walk);
      return;
    }
    if (!info.isFile()) {
      yield { path, failed: failure(path, 'not a regular file or directory') };
      return;
    }
  }
  // A file named on the command line is read whatever its extension: the user asked for it.
  if (!explicit && !READABLE.test(path)) {
    walk.options.onSkip?.(path);
    return;
  }
  const lineDelimited = LINE_DELIMITED.test(path);
  if (walk.options.stat !== true) {
    yield { path, lineDelimited };
    return;
  }
  if (info === undefined) {
    try {
      info = await walk.fs.stat(path);
    } catch (error) {
      yield failed(path, error);
      return;
    }
  }
  yield { path, lineDelimited, size: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
}

async function* walkDirectory(path: string, walk: Walk): AsyncGenerator<WalkEntry<WalkedFile | StatedFile>> {
  let entries: Dirent[];
  try {
    const real = await walk.fs.realpath(path);
    if (walk.entered.has(real)) return;
    walk.entered.add(real);
    entries = await walk.fs.readdir(path);
  } catch (error) {
    yield failed(path, error);
    return;
  }
  const sorted = entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => byName(a.name, b.name));
  for (const entry of sorted) {
    const child = join(path, entry.name);
    if (entry.name === DIGEST_DIR) walk.options.onSkip?.(child);
    else yield* walkPath(child, false, walk, entry);
  }
}

/**
 * The files `paths` name, in the order `readDocuments` reads them: files as named (whatever their
 * extension), directories walked recursively in sorted order (by UTF-16 code unit), each directory once
 * whatever symbolic links lead to it. A walk passes over dotfiles, CloudTrail digest folders and files
 * other than `.json`, `.jsonl`, `.ndjson` and `.gz` (a path named explicitly is walked all the same). A
 * path that cannot be walked (missing, unreadable, neither a file nor a directory) gives its error in
 * place, and the walk goes on.
 */
export function walkFiles(
  paths: readonly string[],
  options: WalkOptions & { readonly stat: true },
): AsyncGenerator<WalkEntry<StatedFile>>;
export function walkFiles(paths: readonly string[], options?: WalkOptions): AsyncGenerator<WalkEntry>;
export async function* walkFiles(
  paths: readonly string[],
  options: WalkOptions = {},
): AsyncGenerator<WalkEntry<WalkedFile | StatedFile>> {
  const walk: Walk = { options, fs: options.blocking === true ? BLOCKING : POOLED, entered: new Set() };
  for (const path of paths) yield* walkPath(path, true, walk);
}
