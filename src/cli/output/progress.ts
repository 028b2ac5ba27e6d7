import type { Writable } from 'node:stream';

/**
 * A single self-overwriting status line on a terminal. Silent unless enabled, and only drawn once the
 * work has lasted a moment, so quick runs and pipes see no flicker.
 */
export class ProgressLine {
  private readonly startedAt = Date.now();
  private lastDrawAt = 0;
  private drawn = false;

  public constructor(
    private readonly stream: Writable,
    private readonly enabled: boolean,
    private readonly delayMs = 500,
  ) {}

  /** Redraws the line; with `fraction` (0 to 1), a bar and a percentage lead it. */
  public update(text: string, fraction?: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.startedAt < this.delayMs || now - this.lastDrawAt < 100) return;
    this.lastDrawAt = now;
    const line = fraction === undefined ? text : `${progressBar(fraction)} ${text}`;
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  /** Seconds since the line was created, for rates. */
  public elapsedSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  public clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}

const BAR_WIDTH = 24;

/** `[#########---------------]  38%` */
export function progressBar(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)}%`;
}

/**
 * Prints input errors on stderr, clearing the progress line first, up to `maxErrors` (0: all); every error
 * is still counted through `onError`, so the summary says how many there were.
 */
export function errorReporter(
  stream: Writable,
  progress: ProgressLine,
  maxErrors: number,
  onError: () => void,
): (message: string) => void {
  let printed = 0;
  return (message) => {
    onError();
    if (maxErrors !== 0 && printed >= maxErrors) return;
    progress.clear();
    stream.write(`error: ${message}\n`);
    printed += 1;
  };
}
