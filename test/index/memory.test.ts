import { describe, expect, it } from 'vitest';
import type { IndexedEvent } from '../../src/core/model.js';
import { indexKeysOf, MemoryEventIndex } from '../../src/index/memory.js';
import { stubPrincipal } from '../helpers/trail-event.js';

function event(
  eventId: string,
  time: string,
  values: readonly string[],
  extra: Partial<IndexedEvent> = {},
): IndexedEvent {
  return {
    eventId,
    eventName: 'AuthorizeSecurityGroupIngress',
    eventSource: 'ec2.amazonaws.com',
    eventTimeMs: Date.parse(time),
    awsRegion: 'us-east-1',
    accountId: '111122223333',
    principal: stubPrincipal,
    identifiers: values.map((value) => ({ value, path: 'requestParameters.groupId' })),
    aliases: [],
    ...extra,
  };
}

const query = (keys: readonly string[], from: string, to: string, accountId = '111122223333') => ({
  accountId,
  keys,
  fromMs: Date.parse(from),
  toMs: Date.parse(to),
});

describe('MemoryEventIndex', () => {
  it('returns each matching event once, oldest first, within the bounds', async () => {
    const index = new MemoryEventIndex();
    await index.put([
      event('c', '2026-03-02T10:03:00Z', ['sg-1', 'web-sg']),
      event('a', '2026-03-02T10:01:00Z', ['sg-1']),
      event('b', '2026-03-02T10:02:00Z', ['web-sg']),
      event('d', '2026-03-02T10:09:00Z', ['sg-1']),
      event('z', '2026-03-02T09:59:59Z', ['sg-1']),
    ]);
    const found = await index.query(
      query(['sg-1', 'web-sg'], '2026-03-02T10:00:00Z', '2026-03-02T10:05:00Z'),
    );
    expect(found.map((e) => e.eventId)).toEqual(['a', 'b', 'c']);
  });

  it('includes events exactly at either bound', async () => {
    const index = new MemoryEventIndex();
    await index.put([event('a', '2026-03-02T10:00:00Z', ['k']), event('b', '2026-03-02T10:05:00Z', ['k'])]);
    const found = await index.query(query(['k'], '2026-03-02T10:00:00Z', '2026-03-02T10:05:00Z'));
    expect(found.map((e) => e.eventId)).toEqual(['a', 'b']);
  });

  it('keeps accounts apart', async () => {
    const index = new MemoryEventIndex();
    await index.put([
      event('mine', '2026-03-02T10:01:00Z', ['web-sg']),
      event('theirs', '2026-03-02T10:01:00Z', ['web-sg'], { accountId: '444455556666' }),
    ]);
    const found = await index.query(
      query(['web-sg'], '2026-03-02T10:00:00Z', '2026-03-02T10:05:00Z', '444455556666'),
    );
    expect(found.map((e) => e.eventId)).toEqual(['theirs']);
  });

  it('ignores an event delivered twice and stores each event once', async () => {
    const index = new MemoryEventIndex();
    const first = event('a', '2026-03-02T10:01:00Z', ['sg-1']);
    await index.put([first]);
    await index.put([event('a', '2026-03-02T10:01:00Z', ['sg-1', 'other'])]);
    expect(index.size).toBe(1);
    const found = await index.query(query(['sg-1', 'other'], '2026-03-02T10:00:00Z', '2026-03-02T10:05:00Z'));
    expect(found).toEqual([first]);
    expect(found[0]).toBe(first);
  });

  it('finds events by their alias members', async () => {
    const index = new MemoryEventIndex();
    await index.put([event('assoc', '2026-03-01T08:00:02Z', [], { aliases: [['rtb-1', 'rtbassoc-1']] })]);
    const found = await index.query(query(['rtbassoc-1'], '2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z'));
    expect(found.map((e) => e.eventId)).toEqual(['assoc']);
    expect([...indexKeysOf(found[0] as IndexedEvent)]).toEqual(['rtb-1', 'rtbassoc-1']);
  });

  it('does not keep events no key can reach', async () => {
    const index = new MemoryEventIndex();
    await index.put([event('nothing', '2026-03-02T10:01:00Z', [])]);
    expect(index.size).toBe(0);
  });

  it('answers empty for unknown accounts, unknown keys and inverted bounds', async () => {
    const index = new MemoryEventIndex();
    await index.put([event('a', '2026-03-02T10:01:00Z', ['sg-1'])]);
    expect(
      await index.query(query(['sg-1'], '2026-03-02T10:00:00Z', '2026-03-02T10:05:00Z', '000000000000')),
    ).toEqual([]);
    expect(await index.query(query(['sg-2'], '2026-03-02T10:00:00Z', '2026-03-02T10:05:00Z'))).toEqual([]);
    expect(await index.query(query(['sg-1'], '2026-03-02T10:05:00Z', '2026-03-02T10:00:00Z'))).toEqual([]);
  });

  it('stays ordered when events arrive out of order, and reads only the window of a hot key', async () => {
    const index = new MemoryEventIndex();
    const base = Date.parse('2026-03-02T00:00:00Z');
    const events = Array.from({ length: 20_000 }, (_, i) =>
      event(`e${i}`, new Date(base + ((i * 7919) % 20_000) * 1000).toISOString(), ['vpc-hot']),
    );
    await index.put(events);
    expect(index.size).toBe(20_000);
    const found = await index.query({
      accountId: '111122223333',
      keys: ['vpc-hot'],
      fromMs: base + 100_000,
      toMs: base + 104_000,
    });
    expect(found.map((e) => e.eventTimeMs - base)).toEqual([100_000, 101_000, 102_000, 103_000, 104_000]);
  });
});
