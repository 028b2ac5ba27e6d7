import { describe, expect, it } from 'vitest';
import { BatchNotifier } from '../../src/lambda/batch-notifier.js';
import type { DeliveryReport } from '../../src/sinks/deliver.js';
import { DeliveryError } from '../../src/sinks/errors.js';

/** A notifier over plain string findings whose sender delivers to channel `c`, failing the keys in `failing`. */
function notifier(records: number, options: { failing?: string[]; maxWaitMs?: number } = {}) {
  const sends: string[][] = [];
  const n = new BatchNotifier<string>({
    records,
    keyOf: (finding) => finding,
    ...(options.maxWaitMs !== undefined && { maxWaitMs: options.maxWaitMs }),
    send: async (findings): Promise<DeliveryReport> => {
      sends.push([...findings]);
      const failing = new Set(options.failing ?? []);
      return {
        delivered: findings.filter((f) => !failing.has(f)).map((f) => `c|${f}`),
        skipped: [],
        failed: findings
          .filter((f) => failing.has(f))
          .map((f) => ({
            key: `c|${f}`,
            sink: 'c',
            error: new DeliveryError('HTTP 500', { sink: 'c', attempts: 3, retryable: true }),
          })),
      };
    },
  });
  return { n, sends };
}

describe('BatchNotifier', () => {
  it('sends the findings of every record once all of them are in', async () => {
    const { n, sends } = notifier(3);
    const first = n.submit(['a', 'b']);
    n.withdraw();
    expect(sends).toEqual([]);
    const last = n.submit(['c']);
    expect((await first).delivered).toEqual(['c|a', 'c|b']);
    expect((await last).delivered).toEqual(['c|c']);
    expect(sends).toEqual([['a', 'b', 'c']]);
  });

  it('tells each record how its own findings fared', async () => {
    const { n } = notifier(2, { failing: ['b'] });
    const [one, two] = await Promise.all([n.submit(['a']), n.submit(['b'])]);
    expect(one.failed).toEqual([]);
    expect(two.failed.map((f) => f.key)).toEqual(['c|b']);
    expect(two.delivered).toEqual([]);
  });

  it('sends nothing for a batch whose records all stepped aside', () => {
    const { n, sends } = notifier(2);
    n.withdraw();
    n.withdraw();
    expect(sends).toEqual([]);
  });

  it('does not wait past maxWaitMs for a record that is still busy, and sends it on its own later', async () => {
    const { n, sends } = notifier(3, { maxWaitMs: 5 });
    const early = await Promise.all([n.submit(['a']), n.submit(['b'])]);
    expect(early.map((r) => r.delivered)).toEqual([['c|a'], ['c|b']]);
    expect(sends).toEqual([['a', 'b']]);
    expect((await n.submit(['c'])).delivered).toEqual(['c|c']);
    expect(sends).toEqual([['a', 'b'], ['c']]);
  });

  it('fails every waiting record when sending throws', async () => {
    const n = new BatchNotifier<string>({
      records: 2,
      keyOf: (f) => f,
      send: async () => {
        throw new Error('store down');
      },
    });
    const results = await Promise.allSettled([n.submit(['a']), n.submit(['b'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('refuses a batch of no records, saying what it needs', () => {
    expect(() => notifier(0)).toThrow('records must be a whole number of at least 1, but 0 was given');
  });
});
