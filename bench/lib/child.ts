/**
 * Runs a measurement in a fresh Node process, so that each one has its own heap, its own peak RSS and no
 * JIT warm-up from the others. Wall time is taken from spawn to exit, start-up included.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildRun<T> {
  readonly wallMs: number;
  /** CPU time of the child (user + system), milliseconds. */
  readonly cpuMs: number;
  readonly maxRssKb: number;
  /** What the child wrote to its stats file (JSON), if anything. */
  readonly stats: T | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  /** 1-minute load average of the machine when the run started and when it ended. */
  readonly load: readonly [number, number];
}

/**
 * `node ARGS...`; the child finds in `CLOUDBLAME_BENCH_STATS` a file to write its JSON stats to (see
 * replay-child.ts and floor.ts), which always include `maxRssKb` and `cpuMs` from `process.resourceUsage()`.
 */
export async function runNode<T extends { maxRssKb: number; cpuMs: number }>(
  args: readonly string[],
  options: { readonly cwd?: string; readonly keepStdout?: boolean } = {},
): Promise<ChildRun<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudblame-bench-'));
  const statsFile = join(dir, 'stats.json');
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [...args], {
          cwd: options.cwd,
          env: { ...process.env, CLOUDBLAME_BENCH_STATS: statsFile },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => {
          if (options.keepStdout !== false) out.push(chunk);
        });
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        child.on('error', reject);
        child.on('close', (exit) =>
          resolve({
            code: exit ?? -1,
            stdout: Buffer.concat(out).toString(),
            stderr: Buffer.concat(err).toString(),
          }),
        );
      },
    );
    const wallMs = performance.now() - started;
    let stats: T | undefined;
    try {
      stats = JSON.parse(readFileSync(statsFile, 'utf8')) as T;
    } catch {
      stats = undefined;
    }
    return {
      wallMs,
      cpuMs: stats?.cpuMs ?? Number.NaN,
      maxRssKb: stats?.maxRssKb ?? Number.NaN,
      stats,
      stdout,
      stderr,
      code,
      load: [loadBefore, loadavg()[0] ?? 0],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak RSS and CPU time of this process so far, for a child's stats file. */
export function processStats(): { maxRssKb: number; cpuMs: number } {
  const usage = process.resourceUsage();
  return { maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 };
}
