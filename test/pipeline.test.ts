import { describe, expect, it } from 'vitest';
import { idempotencyKey } from '../src/core/notify/key.js';
import type { RouteFilter } from '../src/core/notify/routing.js';
import { type BatchFinding, groupDeliveryItemsFor, type RoutedSink } from '../src/pipeline.js';
import type { Sink, SinkPayload } from '../src/sinks/port.js';
import { consoleBurst } from './helpers/findings.js';

const everything: RouteFilter = {
  name: 'all',
  minSeverity: 'info',
  outOfBandOnly: false,
  kinds: ['change', 'alert'],
  includeSuppressed: true,
};

function sink(name: string): Sink {
  return { name, kind: 'webhook', deliver: async () => undefined };
}

const FIVE_MINUTES = 5 * 60_000;

describe('groupDeliveryItemsFor', () => {
  it("gives one message per channel for a session's burst, keyed by each of its findings", () => {
    const burst: BatchFinding[] = consoleBurst(4).map((finding) => ({ finding }));
    const sinks: RoutedSink[] = [
      { filter: everything, sink: sink('a') },
      { filter: { ...everything, name: 'b' }, sink: sink('b') },
    ];
    const items = groupDeliveryItemsFor(burst, sinks, FIVE_MINUTES);
    expect(items.map((item) => item.sink.name)).toEqual(['a', 'b']);
    expect([...items[0]!.members].sort()).toEqual(burst.map((b) => idempotencyKey(b.finding)).sort());
  });

  it('renders a message for the members asked for only', () => {
    const burst = consoleBurst(3);
    const [item] = groupDeliveryItemsFor(
      burst.map((finding) => ({ finding })),
      [{ filter: everything, sink: sink('a') }],
      FIVE_MINUTES,
    );
    const payload: SinkPayload = item!.render([1]);
    const text = JSON.stringify(payload);
    const chosen = burst.find((f) => idempotencyKey(f) === item!.members[1]);
    expect(text).toContain(chosen!.change.resourceId);
    for (const other of burst.filter((f) => f !== chosen))
      expect(text).not.toContain(other.change.resourceId);
  });

  it('puts a finding handed in twice in one message once', () => {
    const [finding] = consoleBurst(1);
    const items = groupDeliveryItemsFor(
      [{ finding: finding! }, { finding: finding! }],
      [{ filter: everything, sink: sink('a') }],
      FIVE_MINUTES,
    );
    expect(items.map((item) => item.members.length)).toEqual([1]);
  });

  it('never mixes findings whose links need different regions, nor what a channel does not take', () => {
    const burst = consoleBurst(4);
    const inTwoRegions = burst.map((finding, i) => ({
      finding,
      globalResourceRegion: i < 2 ? 'eu-west-1' : 'us-east-1',
    }));
    const all = groupDeliveryItemsFor(inTwoRegions, [{ filter: everything, sink: sink('a') }], FIVE_MINUTES);
    expect(all.map((item) => item.members.length)).toEqual([2, 2]);
    const items = groupDeliveryItemsFor(
      inTwoRegions,
      [{ filter: { ...everything, minSeverity: 'critical' }, sink: sink('critical-only') }],
      FIVE_MINUTES,
    );
    const critical = burst.filter((f) => f.severity === 'critical').map(idempotencyKey);
    expect(items.flatMap((item) => item.members)).toEqual(critical);
  });
});
