import type { CloudBlameConfig } from './core/config/schema.js';
import { isIndexable, toIndexedEvent } from './core/identifiers.js';
import type {
  Attribution,
  ChangeFinding,
  ConfigChange,
  Finding,
  IndexedEvent,
  TrailEvent,
} from './core/model.js';
import { groupFindings } from './core/notify/group.js';
import { idempotencyKey } from './core/notify/key.js';
import { accepts, type RouteFilter } from './core/notify/routing.js';
import { decide, severityOf } from './core/policy.js';
import { principalOfEvent } from './core/principal.js';
import type { FactsOptions } from './core/render/facts.js';
import { type Evaluation, evaluateEvent, type RuleSet } from './core/rules/model.js';
import { attributeChange } from './index/attribute.js';
import type { EventIndex } from './index/port.js';
import type { DeliveryItem, GroupDeliveryItem } from './sinks/deliver.js';
import type { Sink } from './sinks/port.js';
import { renderPayload, targetFor } from './sinks/render-payload.js';

/** The compact index form of a CloudTrail event, or undefined for reads and failed calls. */
export function indexable(event: TrailEvent): IndexedEvent | undefined {
  if (!isIndexable(event)) return undefined;
  return toIndexedEvent(event, principalOfEvent(event));
}

/** Critical-action alerts the event raises, and those a suppression in the config silenced. */
export function alertsFor(event: TrailEvent, rules: RuleSet): Evaluation {
  return evaluateEvent(rules, event, () => principalOfEvent(event));
}

/** Attribute one Config change against the index and decide what to do about it. Never drops the change. */
export async function findingFor(
  change: ConfigChange,
  index: EventIndex,
  config: CloudBlameConfig,
): Promise<ChangeFinding> {
  const attribution = await attributeChange(change, index, {
    windowMs: config.correlation.windowMinutes * 60_000,
  });
  const verdict = decide({ change, attribution, config });
  return { kind: 'change', change, attribution, verdict, severity: severityOf(verdict, attribution) };
}

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;

/** Out-of-band changes first, then what will be notified by severity, then what is suppressed; oldest first within. */
export function compareFindings(a: ChangeFinding, b: ChangeFinding): number {
  const rank = (f: ChangeFinding): number =>
    (f.verdict.outOfBand ? 0 : f.verdict.action === 'notify' ? 10 : 20) + SEVERITY_RANK[f.severity];
  return rank(a) - rank(b) || a.change.captureTimeMs - b.change.captureTimeMs;
}

// ---------------------------------------------------------------------------------------------------------
// Used by the Lambda handlers: a finding from an attribution obtained elsewhere (the LookupEvents
// fallback); an alert rendered alone for each channel that takes it (deliveryItemsFor), and the findings of
// an SQS batch grouped by session for each channel, each member keyed on its own (groupDeliveryItemsFor).

/** The finding of a change whose attribution is already known (the index, or the LookupEvents fallback). */
export function changeFinding(
  change: ConfigChange,
  attribution: Attribution,
  config: CloudBlameConfig,
): ChangeFinding {
  const verdict = decide({ change, attribution, config });
  return { kind: 'change', change, attribution, verdict, severity: severityOf(verdict, attribution) };
}

/** A finding of a Lambda batch, with what rendering it needs. */
export interface BatchFinding {
  readonly finding: Finding;
  /** The region the change was recorded in: console links of global resources point there. */
  readonly globalResourceRegion?: string;
  /** The archived raw message, linked from the notification. */
  readonly archiveUrl?: string;
}

/**
 * The deliveries of a batch of findings: for each channel, the findings it accepts grouped by session
 * (`groupFindings`: a principal's findings within `windowMs` of the group's first), one message per group,
 * each member keyed on its own (`GroupDeliveryItem`), so that a finding redelivered in another batch is
 * recognised whatever it was grouped with. Findings that need different regions in their links, and a
 * finding handed in twice (SQS delivers at least once), never share a message.
 */
export function groupDeliveryItemsFor(
  findings: readonly BatchFinding[],
  sinks: readonly RoutedSink[],
  windowMs: number,
): GroupDeliveryItem[] {
  const byRegion = new Map<string | undefined, BatchFinding[]>();
  const seen = new Set<string>();
  for (const item of findings) {
    const key = idempotencyKey(item.finding);
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byRegion.get(item.globalResourceRegion);
    if (list === undefined) byRegion.set(item.globalResourceRegion, [item]);
    else list.push(item);
  }
  // What rendering needs depends on the finding and its region only: worked out once for every channel.
  const archiveUrls = new Map(findings.map((item) => [item.finding, item.archiveUrl]));
  const optionsOf = (region: string | undefined): FactsOptions => ({
    archiveUrl: (finding) => archiveUrls.get(finding),
    ...(region !== undefined && { globalResourceRegion: region }),
  });
  const regions = [...byRegion].map(([region, list]) => ({ list, options: optionsOf(region) }));
  const items: GroupDeliveryItem[] = [];
  for (const { filter, sink } of sinks) {
    for (const { list, options } of regions) {
      const accepted = list.filter((item) => accepts(filter, item.finding));
      for (const group of groupFindings(
        accepted.map((item) => item.finding),
        { windowMs },
      )) {
        items.push({
          sink,
          members: group.findings.map(idempotencyKey),
          render: (positions) =>
            renderPayload(
              targetFor(sink.kind),
              positions.map((position) => group.findings[position]!),
              options,
            ),
        });
      }
    }
  }
  return items;
}

/** A sink and the routing filter of the channel it delivers for. */
export interface RoutedSink {
  readonly filter: RouteFilter;
  readonly sink: Sink;
}

/**
 * The deliveries of one finding: one per channel that accepts it, keyed by the finding's idempotency key
 * (`deliverAll` adds the channel). One finding per message: a message never mixes findings that may be
 * retried apart, so a redelivery is recognised whatever else was in its batch.
 */
export function deliveryItemsFor(
  finding: Finding,
  sinks: readonly RoutedSink[],
  options: FactsOptions = {},
): DeliveryItem[] {
  const key = idempotencyKey(finding);
  return sinks
    .filter(({ filter }) => accepts(filter, finding))
    .map(({ sink }) => ({ sink, payload: renderPayload(targetFor(sink.kind), [finding], options), key }));
}
