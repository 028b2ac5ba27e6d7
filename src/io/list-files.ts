import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

/** A file an archive walk found, with what tells whether it changed since it was last read. */
export interface ListedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export type FileListing = ListedFile | { readonly path: string; readonly error: InputError };

export interface ListOptions {
  /** Called for each file passed over because of its name. */
  readonly onSkip?: (path: string) => void;
}

/** The files `readDocuments` reads from a directory. */
const READABLE = /\.(?:json|jsonl|ndjson)(?:\.gz)?$|\.gz$/i;
/**
 * CloudTrail's digest files (`CloudTrail-Digest/`) prove the integrity of the log files; they hold no
 * events, so an archive walk does not read them.
 */
const DIGEST_DIR = 'CloudTrail-Digest';

function reasonOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

function failure(path: string, error: unknown): FileListing {
  return { path, error: new InputError(reasonOf(error), { source: path }, { cause: error }) };
}

async function* walk(
  path: string,
  explicit: boolean,
  entered: Set<string>,
  options: ListOptions,
): AsyncGenerator<FileListing> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    yield failure(path, error);
    return;
  }
  if (info.isDirectory()) {
    let names: string[];
    try {
      const real = await realpath(path);
      if (entered.has(real)) return;
      entered.add(real);
      names = await readdir(path);
    } catch (error) {
      yield failure(path, error);
      return;
    }
    const sorted = names.filter((name) => !name.startsWith('.') && name !== DIGEST_DIR).sort();
    for (const name of sorted) yield* walk(join(path, name), false, entered, options);
  } else if (!info.isFile()) {
    yield failure(path, new Error('not a regular file or directory'));
  } else if (explicit || READABLE.test(path)) {
    yield { path, size: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
  } else {
    options.onSkip?.(path);
  }
}

/**
 * The files under `paths` that `readDocuments` would read, in the same order (directories walked
 * recursively in sorted order, dotfiles and CloudTrail digest folders skipped, each directory once
 * whatever the symbolic links), each with its size and modification time.
 */
export async function* listArchiveFiles(
  paths: readonly string[],
  options: ListOptions = {},
): AsyncGenerator<FileListing> {
  const entered = new Set<string>();
  for (const path of paths) yield* walk(path, true, entered, options);
}
