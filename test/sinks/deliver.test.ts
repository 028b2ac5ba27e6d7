import { describe, expect, it } from 'vitest';
import { deliverAll } from '../../src/sinks/deliver.js';
import { DeliveryInProgressError, HttpStatusError, SinkConfigError } from '../../src/sinks/errors.js';
import { type IdempotencyStore, MemoryIdempotencyStore } from '../../src/sinks/idempotency.js';
import type { Sink, SinkKind, SinkPayload } from '../../src/sinks/port.js';

const payload: SinkPayload = { type: 'json', json: { text: 'x' } };
const noWait = { sleep: async () => undefined, random: () => 0 };

/** A sink that answers from a script of outcomes: 'ok', a status, or a thrown value. */
class ScriptedSink implements Sink {
  public readonly kind: SinkKind = 'webhook';
  public readonly sent: string[] = [];
  #calls = 0;

  public constructor(
    public readonly name: string,
    private readonly script: readonly ('ok' | number | Error)[] = [],
    private readonly gate?: Promise<void>,
  ) {}

  public async deliver(_payload: SinkPayload, key: string): Promise<void> {
    await this.gate;
    const step = this.script[this.#calls++] ?? 'ok';
    if (step instanceof Error) throw step;
    if (step !== 'ok') {
      throw new HttpStatusError(`HTTP ${step}`, {
        sink: this.name,
        status: step,
        attempts: 1,
        retryable: step === 429 || step >= 500,
      });
    }
    this.sent.push(key);
  }
}

describe('deliverAll', () => {
  it('keeps sinks independent: one failing does not stop the others', async () => {
    const bad = new ScriptedSink('bad', [400]);
    const good = new ScriptedSink('good');
    const report = await deliverAll(
      [
        { sink: bad, payload, key: 'k1' },
        { sink: good, payload, key: 'k1' },
        { sink: good, payload, key: 'k2' },
      ],
      new MemoryIdempotencyStore(),
      noWait,
    );
    expect(report.delivered).toEqual(['good|k1', 'good|k2']);
    expect(report.failed.map((f) => [f.key, f.sink])).toEqual([['bad|k1', 'bad']]);
    expect(good.sent).toEqual(['good|k1', 'good|k2']);
  });

  it('sends the same finding to each channel once', async () => {
    const a = new ScriptedSink('a');
    const b = new ScriptedSink('b');
    const store = new MemoryIdempotencyStore();
    const items = [
      { sink: a, payload, key: 'k' },
      { sink: b, payload, key: 'k' },
    ];
    await deliverAll(items, store, noWait);
    const again = await deliverAll(items, store, noWait);
    expect(again.skipped).toEqual(['a|k', 'b|k']);
    expect([a.sent, b.sent]).toEqual([['a|k'], ['b|k']]);
  });

  it('delivers one sink’s items in order while other sinks proceed', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const slow = new ScriptedSink('slow', [], gate);
    const fast = new ScriptedSink('fast');
    const done = deliverAll(
      [
        { sink: slow, payload, key: '1' },
        { sink: slow, payload, key: '2' },
        { sink: fast, payload, key: '1' },
      ],
      new MemoryIdempotencyStore(),
      noWait,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(fast.sent).toEqual(['fast|1']);
    expect(slow.sent).toEqual([]);
    open();
    const report = await done;
    expect(slow.sent).toEqual(['slow|1', 'slow|2']);
    expect(report.delivered).toEqual(['slow|1', 'slow|2', 'fast|1']);
  });

  it('reports a key claimed elsewhere as a retryable failure, not as delivered', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim('a|k');
    const sink = new ScriptedSink('a');
    const report = await deliverAll([{ sink, payload, key: 'k' }], store, noWait);
    expect(report.failed[0]?.error).toBeInstanceOf(DeliveryInProgressError);
    expect(report.failed[0]?.error.retryable).toBe(true);
    expect(sink.sent).toEqual([]);
  });

  it('wraps an unexpected error without quoting its message', async () => {
    const sink = new ScriptedSink('third-party', [new Error('failed posting to https://x.example/secret')]);
    const store = new MemoryIdempotencyStore();
    const report = await deliverAll([{ sink, payload, key: 'k' }], store, noWait);
    const error = report.failed[0]?.error;
    expect(error?.message).toBe('third-party: the sink failed unexpectedly (Error)');
    expect(error?.context).toMatchObject({ attempts: 1, retryable: false });
    expect(await store.claim('third-party|k')).toBe('claimed'); // the claim was released
  });

  it('counts a delivery whose completion could not be recorded as delivered', async () => {
    const memory = new MemoryIdempotencyStore();
    const store: IdempotencyStore = {
      claim: (key) => memory.claim(key),
      complete: async () => {
        throw new Error('DynamoDB unavailable');
      },
      release: (key) => memory.release(key),
    };
    const logs: string[] = [];
    const report = await deliverAll([{ sink: new ScriptedSink('a'), payload, key: 'k' }], store, noWait, {
      log: (entry) => logs.push(entry.event),
    });
    expect(report.delivered).toEqual(['a|k']);
    expect(logs).toEqual(['delivered', 'store-error']);
  });

  it('reports a store that cannot claim as a retryable failure', async () => {
    const store: IdempotencyStore = {
      claim: async () => {
        throw new Error('throttled');
      },
      complete: async () => undefined,
      release: async () => undefined,
    };
    const sink = new ScriptedSink('a');
    const report = await deliverAll([{ sink, payload, key: 'k' }], store, noWait);
    expect(report.failed[0]?.error.retryable).toBe(true);
    expect(sink.sent).toEqual([]);
  });

  it('refuses two different sinks with the same name', async () => {
    await expect(
      deliverAll(
        [
          { sink: new ScriptedSink('x'), payload, key: 'k' },
          { sink: new ScriptedSink('x'), payload, key: 'k' },
        ],
        new MemoryIdempotencyStore(),
      ),
    ).rejects.toBeInstanceOf(SinkConfigError);
  });

  it('starts no delivery past the deadline, and gives the key back for a later retry', async () => {
    const sink = new ScriptedSink('s');
    const store = new MemoryIdempotencyStore();
    const late = await deliverAll([{ sink, payload, key: 'k' }], store, {
      ...noWait,
      now: () => 2_000,
      deadlineMs: 1_000,
    });
    expect(sink.sent).toEqual([]);
    expect(late.failed.map((f) => [f.key, f.error.retryable, f.error.context.attempts])).toEqual([
      ['s|k', true, 0],
    ]);
    expect((await deliverAll([{ sink, payload, key: 'k' }], store, noWait)).delivered).toEqual(['s|k']);
  });

  describe('groups', () => {
    const groupOf = (sink: Sink, members: string[], rendered: string[][]) => ({
      sink,
      members,
      render: (positions: readonly number[]): SinkPayload => {
        rendered.push(positions.map((p) => members[p]!));
        return payload;
      },
    });

    it('sends one message for the members and marks each of them delivered', async () => {
      const sink = new ScriptedSink('s');
      const store = new MemoryIdempotencyStore();
      const rendered: string[][] = [];
      const report = await deliverAll([groupOf(sink, ['a', 'b', 'c'], rendered)], store, noWait);
      expect(report.delivered).toEqual(['s|a', 's|b', 's|c']);
      expect(rendered).toEqual([['a', 'b', 'c']]);
      expect(sink.sent).toHaveLength(1);
      expect(sink.sent[0]).toMatch(/^s\|group:3:[0-9a-f]{64}$/);
      // Each member alone is known delivered now.
      expect((await deliverAll([{ sink, payload, key: 'b' }], store, noWait)).skipped).toEqual(['s|b']);
    });

    it('leaves out members delivered before and renders the message for the others', async () => {
      const sink = new ScriptedSink('s');
      const store = new MemoryIdempotencyStore();
      await deliverAll([{ sink, payload, key: 'b' }], store, noWait);
      const rendered: string[][] = [];
      const report = await deliverAll([groupOf(sink, ['a', 'b', 'c'], rendered)], store, noWait);
      expect(report.skipped).toEqual(['s|b']);
      expect(report.delivered).toEqual(['s|a', 's|c']);
      expect(rendered).toEqual([['a', 'c']]);
      // A group of which one member is left is that member's own message, under its own key.
      const single: string[][] = [];
      await deliverAll([groupOf(sink, ['a', 'c', 'd'], single)], store, noWait);
      expect(single).toEqual([['d']]);
      expect(sink.sent.at(-1)).toBe('s|d');
    });

    it('sends nothing when every member was delivered before', async () => {
      const sink = new ScriptedSink('s');
      const store = new MemoryIdempotencyStore();
      await deliverAll([groupOf(sink, ['a', 'b'], [])], store, noWait);
      const rendered: string[][] = [];
      const report = await deliverAll([groupOf(sink, ['b', 'a'], rendered)], store, noWait);
      expect(report).toEqual({ delivered: [], skipped: ['s|b', 's|a'], failed: [] });
      expect(rendered).toEqual([]);
      expect(sink.sent).toHaveLength(1);
    });

    it('fails every member of a message that could not be sent and lets a retry send them', async () => {
      const sink = new ScriptedSink('s', [400]);
      const store = new MemoryIdempotencyStore();
      const first = await deliverAll([groupOf(sink, ['a', 'b'], [])], store, noWait);
      expect(first.failed.map((f) => f.key)).toEqual(['s|a', 's|b']);
      expect(first.failed.every((f) => f.error instanceof HttpStatusError)).toBe(true);
      const again = await deliverAll([groupOf(sink, ['a', 'b'], [])], store, noWait);
      expect(again.delivered).toEqual(['s|a', 's|b']);
    });

    it('fails only the member another delivery holds, and sends the others', async () => {
      const sink = new ScriptedSink('s');
      const store = new MemoryIdempotencyStore();
      expect(await store.claim('s|b')).toBe('claimed');
      const rendered: string[][] = [];
      const report = await deliverAll([groupOf(sink, ['a', 'b', 'c'], rendered)], store, noWait);
      expect(report.delivered).toEqual(['s|a', 's|c']);
      expect(report.failed.map((f) => [f.key, f.error instanceof DeliveryInProgressError])).toEqual([
        ['s|b', true],
      ]);
      expect(rendered).toEqual([['a', 'c']]);
    });
  });
});
