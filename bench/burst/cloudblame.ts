/**
 * cloudblame's streaming join under the burst, run with the real decision logic: the attribution
 * function's `ChangeProcessor` (src/lambda/attribute-changes.ts), the real event index (in memory), the
 * real `LookupEventsFallback` behind the real per-account-region `TokenBuckets`, all on a virtual clock.
 *
 * - CloudTrail events enter the index when EventBridge delivers them (plus the index-events function's
 *   write), except the few that never do;
 * - each Config change is processed when its notification reaches the queue: an index hit is notified at
 *   once; a change younger than 15 minutes with nothing in the index is deferred (its visibility timeout
 *   set to the backoff, 60 s, 120 s, 240 s, then 5 minutes, no later than the fallback point) and comes back;
 *   past 15 minutes the fallback asks LookupEvents, through the token bucket.
 */
import type { SQSRecord } from 'aws-lambda';
import { LookupEventsFallback } from '../../src/aws/lookup-events.js';
import { TokenBuckets } from '../../src/aws/token-bucket.js';
import { defaultConfig } from '../../src/core/config/schema.js';
import { parseTrailRecord } from '../../src/core/parse/cloudtrail.js';
import { MemoryEventIndex } from '../../src/index/memory.js';
import { type AttributeChangesDeps, ChangeProcessor } from '../../src/lambda/attribute-changes.js';
import { ChangeDeferredError, type MessageVisibility } from '../../src/lambda/defer.js';
import type { Counters, Log, MetricName } from '../../src/lambda/telemetry.js';
import { indexable } from '../../src/pipeline.js';
import { MemoryIdempotencyStore } from '../../src/sinks/idempotency.js';
import type { Rng } from '../lib/rng.js';
import { VirtualClock } from './clock.js';
import { SimulatedCloudTrail } from './cloudtrail-api.js';
import type { DesignResult } from './published.js';
import { type BurstChange, DELAYS } from './scenario.js';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111122223333:cloudblame-config-changes';

const silent: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

class Tally implements Counters {
  public readonly totals = new Map<MetricName, number>();
  public count(name: MetricName, value = 1): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }
  public flush(): void {}
}

function sqsRecord(change: BurstChange, receiveCount: number): SQSRecord {
  const messageId = `m-${change.i}`;
  return {
    messageId,
    receiptHandle: `${messageId}#${receiveCount}`,
    body: JSON.stringify(change.configEvent),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(change.notifiedMs),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(change.notifiedMs),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

export async function cloudblameDesign(changes: readonly BurstChange[], rng: Rng): Promise<DesignResult> {
  const clock = new VirtualClock(Math.min(...changes.map((c) => c.callMs)));
  const api = new SimulatedCloudTrail(clock, changes);
  const index = new MemoryEventIndex();
  const visibilityOf = new Map<string, number>();
  const visibility: MessageVisibility = {
    change: async (_queueUrl, receiptHandle, seconds) => {
      visibilityOf.set(receiptHandle, seconds);
    },
  };
  const metrics = new Tally();
  const deps: AttributeChangesDeps = {
    config: defaultConfig(),
    index,
    fallback: new LookupEventsFallback({
      clientFor: () => api.client(),
      buckets: new TokenBuckets({ ratePerSecond: 2, now: clock.now, sleep: clock.sleep }),
      sleep: clock.sleep,
      random: () => rng.next(),
    }),
    fullItems: {
      fetch: async () => {
        throw new Error('the burst has no oversized changes');
      },
    },
    visibility,
    store: new MemoryIdempotencyStore({ now: clock.now }),
    sinks: [],
    log: silent,
    metrics,
    now: clock.now,
  };
  const processor = new ChangeProcessor(deps);
  const latencies: number[] = [];
  let withAuthor = 0;
  let withoutAuthor = 0;
  let deferrals = 0;

  const deliver = (change: BurstChange, receiveCount: number): void => {
    const record = sqsRecord(change, receiveCount);
    processor.processRecord(record).then(
      (outcome) => {
        latencies.push(clock.now() - change.callMs);
        const finding = outcome.findings[0];
        if (finding?.attribution.status === 'attributed') withAuthor += 1;
        else withoutAuthor += 1;
      },
      (error: unknown) => {
        // Deferred (or failed): SQS hands the message back after its visibility timeout.
        if (error instanceof ChangeDeferredError) deferrals += 1;
        const seconds = visibilityOf.get(record.receiptHandle) ?? 30;
        clock.at(clock.now() + seconds * 1000, () => deliver(change, receiveCount + 1));
      },
    );
  };

  for (const change of changes) {
    if (!change.lost) {
      clock.at(change.deliveredMs + DELAYS.indexWriteMs, () => {
        const event = indexable(parseTrailRecord(change.record, { source: 'eventbridge' }));
        if (event !== undefined) void index.put([event]);
      });
    }
    clock.at(change.notifiedMs, () => deliver(change, 1));
  }
  await clock.run();
  return {
    name: 'cloudblame: streaming join, LookupEvents fallback after 15 min',
    lookupCalls: api.calls,
    throttles: api.throttles,
    latenciesMs: latencies,
    withAuthor,
    withoutAuthor,
    deferrals,
  };
}
