import { describe, expect, it } from 'vitest';
import { parseIsoTime } from '../../../src/core/parse/time.js';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** What parseIsoTime has always said: the ISO-8601 shape, then Date.parse. */
function reference(text: string): number | undefined {
  if (!ISO_8601.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

describe('parseIsoTime', () => {
  it('agrees with Date.parse on every edge of CloudTrail’s YYYY-MM-DDTHH:MM:SSZ', () => {
    const years = [0, 1, 99, 100, 999, 1000, 1970, 2024, 2026, 9999];
    const months = [0, 1, 2, 4, 12, 13, 99];
    const days = [0, 1, 28, 29, 30, 31, 32, 99];
    const hours = [0, 1, 23, 24, 25];
    const minutes = [0, 1, 59, 60];
    const seconds = [0, 59, 60];
    let n = 0;
    for (const y of years)
      for (const mo of months)
        for (const d of days)
          for (const h of hours)
            for (const mi of minutes)
              for (const s of seconds) {
                const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}Z`;
                expect(parseIsoTime(text), text).toBe(reference(text));
                n += 1;
              }
    expect(n).toBe(33_600);
  });

  it('agrees on other shapes and on text that is not a time', () => {
    for (const text of [
      '2026-11-18T09:31:05.123Z',
      '2026-11-18T09:31Z',
      '2026-11-18T09:31:05+02:00',
      '2026-11-18T09:31:05-0230',
      '2026-11-18 09:31:05Z',
      '2026-11-18T09:31:05z',
      '2026-11-18T09:31:0aZ',
      '2026-1a-18T09:31:05Z',
      '+02026-11-18T09:31:05Z',
      '2026-11-18T09:31:05Zx',
      '',
      'yesterday',
    ]) {
      expect(parseIsoTime(text), text).toBe(reference(text));
    }
  });

  it('agrees on random times across four centuries', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 20_000; i++) {
      const text = `${new Date(Math.floor(next() * 1.2e13) - 2e12).toISOString().slice(0, 19)}Z`;
      expect(parseIsoTime(text), text).toBe(reference(text));
    }
  });
});
