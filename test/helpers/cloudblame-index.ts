import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type IndexSummary, indexArchive } from '../../src/actions/index-archive.js';

/** A Writable that keeps what is written, for a command's stdout or stderr. */
export function capture(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

export interface TempIndex {
  readonly dir: string;
  readonly db: string;
  readonly summary: IndexSummary;
  readonly stderr: string;
  remove(): void;
}

/** A fresh SQLite event index in a temporary directory, built from `sources`. */
export async function buildIndex(
  sources: readonly string[],
  options: { all?: boolean } = {},
): Promise<TempIndex> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudblame-index-'));
  const db = join(dir, 'index.db');
  const stderr = capture();
  const { summary } = await indexArchive(
    { sources, db, all: options.all ?? false, progress: false, maxErrors: 0 },
    { stderr: stderr.stream },
  );
  return {
    dir,
    db,
    summary,
    stderr: stderr.text(),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
