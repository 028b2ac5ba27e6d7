import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressLine, progressBar } from '../../../src/cli/output/progress.js';

describe('progressBar', () => {
  it('fills in proportion and shows the percentage', () => {
    expect(progressBar(0.5)).toBe(`[${'#'.repeat(12)}${'-'.repeat(12)}]  50%`);
  });

  it('clamps what is out of range or not a number', () => {
    expect(progressBar(1.7)).toMatch(/100%$/);
    expect(progressBar(Number.NaN)).toMatch(/^\[-+\]\s+0%$/);
  });
});

describe('ProgressLine', () => {
  it('writes nothing when disabled (stderr is not a terminal)', () => {
    const stream = new PassThrough();
    const line = new ProgressLine(stream, false, 0);
    line.update('working', 0.5);
    line.clear();
    expect(stream.read()).toBeNull();
  });

  it('draws the bar and the text on one self-overwriting line', () => {
    const stream = new PassThrough();
    const line = new ProgressLine(stream, true, 0);
    line.update('3/6 files', 0.5);
    expect(String(stream.read())).toBe(`\r\x1b[2K${progressBar(0.5)} 3/6 files`);
  });
});
