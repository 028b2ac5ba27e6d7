import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WalkEntry, type WalkOptions, walkFiles } from '../../src/io/walk.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudblame-walk-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content = '{}'): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function relative(path: string): string {
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path;
}

async function walkAll(paths: string[], options: WalkOptions = {}): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const entry of walkFiles(paths, options)) out.push(entry);
  return out;
}

/** Each entry as its path relative to the temp dir, or `path: error message` for a failure. */
function summary(entries: readonly WalkEntry[]): string[] {
  return entries.map((entry) =>
    'failed' in entry
      ? `${relative(entry.path)} ! ${entry.failed.error.message.replaceAll(`${dir}/`, '')}`
      : relative(entry.path),
  );
}

/** A CloudTrail archive: logs, digests, a dotfile and a file that is not a log. */
function archive(): void {
  const base = 'AWSLogs/111122223333';
  write(`${base}/CloudTrail/eu-west-1/2026/11/18/b.json.gz`);
  write(`${base}/CloudTrail/eu-west-1/2026/11/18/a.json.gz`);
  write(`${base}/CloudTrail-Digest/eu-west-1/2026/11/18/digest.json.gz`);
  write(`${base}/CloudTrail/eu-west-1/2026/11/18/.a.json.gz.tmp`);
  write(`${base}/.hidden/x.json`);
  write(`${base}/export.ndjson.gz`);
  write(`${base}/README.txt`);
}

const MODES: readonly [string, WalkOptions][] = [
  ['the default walk', {}],
  ['a walk with stat', { stat: true }],
  ['a blocking walk', { blocking: true }],
  ['a blocking walk with stat', { stat: true, blocking: true }],
];

describe('walkFiles', () => {
  it.each(MODES)(
    '%s: sorted order, passing over dotfiles, digest folders and other files',
    async (_, options) => {
      archive();
      const skipped: string[] = [];
      const entries = await walkAll([dir], { ...options, onSkip: (path) => skipped.push(relative(path)) });
      expect(summary(entries)).toEqual([
        'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/18/a.json.gz',
        'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/18/b.json.gz',
        'AWSLogs/111122223333/export.ndjson.gz',
      ]);
      // The digest folder is reported once and not entered; dotfiles are passed over silently.
      expect(skipped).toEqual(['AWSLogs/111122223333/CloudTrail-Digest', 'AWSLogs/111122223333/README.txt']);
      expect(entries.map((e) => 'lineDelimited' in e && e.lineDelimited)).toEqual([false, false, true]);
    },
  );

  it('walks a digest folder or any file named explicitly: the user asked for it', async () => {
    archive();
    const digests = join(dir, 'AWSLogs/111122223333/CloudTrail-Digest');
    const readme = join(dir, 'AWSLogs/111122223333/README.txt');
    expect(summary(await walkAll([digests, readme]))).toEqual([
      'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/18/digest.json.gz',
      'AWSLogs/111122223333/README.txt',
    ]);
  });

  it('gives size and whole-millisecond mtime with stat, and nothing it would need a stat for without', async () => {
    const path = write('a.json', '{"n":12345}');
    utimesSync(path, 1_700_000_000.1234, 1_700_000_000.1234);
    const link = join(dir, 'b.json');
    symlinkSync(path, link);
    expect(await walkAll([dir], { stat: true })).toEqual([
      { path, lineDelimited: false, size: 11, mtimeMs: 1_700_000_000_123 },
      { path: link, lineDelimited: false, size: 11, mtimeMs: 1_700_000_000_123 },
    ]);
    expect(await walkAll([dir])).toEqual([
      { path, lineDelimited: false },
      { path: link, lineDelimited: false },
    ]);
  });

  it.each(MODES)('%s: walks each directory once whatever symbolic links lead to it', async (_, options) => {
    write('logs/a.json');
    symlinkSync(join(dir, 'logs'), join(dir, 'logs/again'));
    symlinkSync(join(dir, 'logs'), join(dir, 'same'));
    expect(summary(await walkAll([dir, join(dir, 'logs')], options))).toEqual(['logs/a.json']);
  });

  it.each(MODES)('%s: gives a path it cannot walk its error in place and goes on', async (_, options) => {
    write('a.json');
    write('c.json');
    symlinkSync('loop.json', join(dir, 'loop.json'));
    symlinkSync('missing.json', join(dir, 'b.json'));
    expect(summary(await walkAll([join(dir, 'missing'), dir, '/dev/null'], options))).toEqual([
      'missing ! missing: no such file or directory',
      'a.json',
      'b.json ! b.json: no such file or directory',
      'c.json',
      'loop.json ! loop.json: too many levels of symbolic links',
      '/dev/null ! /dev/null: not a regular file or directory',
    ]);
  });

  it('gives the same entries whether blocking or not', async () => {
    archive();
    write('z/link-target.jsonl');
    symlinkSync(join(dir, 'z/link-target.jsonl'), join(dir, 'z/link.jsonl'));
    symlinkSync('nowhere', join(dir, 'z/dangling.json'));
    for (const stat of [false, true]) {
      const pooled = await walkAll([dir, join(dir, 'missing')], { stat });
      const blocking = await walkAll([dir, join(dir, 'missing')], { stat, blocking: true });
      expect(summary(blocking)).toEqual(summary(pooled));
      expect(blocking.map((e) => ('failed' in e ? e.failed.error.message : e))).toEqual(
        pooled.map((e) => ('failed' in e ? e.failed.error.message : e)),
      );
    }
  });
});
