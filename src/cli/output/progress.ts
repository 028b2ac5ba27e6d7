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

  public update(text: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.startedAt < this.delayMs || now - this.lastDrawAt < 100) return;
    this.lastDrawAt = now;
    this.stream.write(`\r\x1b[2K${text}`);
    this.drawn = true;
  }

  public clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
