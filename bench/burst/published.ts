/**
 * The design of the published samples, modelled: every Config change waits a fixed 10 minutes on an SQS
 * delay, then a Lambda function makes one `LookupEvents` call (`ResourceName` = the resource id) over the
 * 15 minutes before the capture time, and blames the newest event returned; nothing found is notified
 * without an author.
 *
 * Two ways to consume the queue:
 * - `paced`: one call every 500 ms at most, the quota exactly (a single consumer, reserved concurrency 1);
 * - `concurrent`: the SQS event source's starting concurrency of 5 functions, each calling at once, with
 *   the SDK's standard retries on `ThrottlingException` (3 attempts, full-jitter backoff from 500 ms); a
 *   call still throttled is an error the handler swallows (as the published handlers do), so the change
 *   is notified without an author.
 */
import type { Rng } from '../lib/rng.js';
import { VirtualClock } from './clock.js';
import { SimulatedCloudTrail } from './cloudtrail-api.js';
import type { BurstChange } from './scenario.js';

export const FIXED_DELAY_MS = 10 * 60_000;
const WINDOW_MS = 15 * 60_000;

export interface DesignResult {
  readonly name: string;
  readonly lookupCalls: number;
  readonly throttles: number;
  /** Change (API call) → notification, per change, milliseconds. */
  readonly latenciesMs: number[];
  readonly withAuthor: number;
  readonly withoutAuthor: number;
  /** Retries through the queue (visibility timeouts), for cloudblame. */
  readonly deferrals?: number;
}

export async function publishedDesign(
  changes: readonly BurstChange[],
  mode: 'paced' | 'concurrent',
  rng: Rng,
): Promise<DesignResult> {
  const clock = new VirtualClock(Math.min(...changes.map((c) => c.callMs)));
  const api = new SimulatedCloudTrail(clock, changes);
  const queue = [...changes].sort((a, b) => a.notifiedMs - b.notifiedMs);
  const latencies: number[] = [];
  let withAuthor = 0;
  let withoutAuthor = 0;
  let next = 0;

  const handle = async (change: BurstChange): Promise<void> => {
    let found = false;
    const attempts = mode === 'concurrent' ? 3 : 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const events = await api.lookup(change.resourceId, change.captureMs - WINDOW_MS, change.captureMs);
        found = events.length > 0;
        break;
      } catch {
        if (attempt === attempts) break; // swallowed: notified without an author
        await clock.sleep(Math.floor(rng.next() * Math.min(20_000, 500 * 2 ** attempt)));
      }
    }
    latencies.push(clock.now() - change.callMs);
    if (found) withAuthor += 1;
    else withoutAuthor += 1;
  };

  if (mode === 'paced') {
    let t = 0;
    for (const change of queue) {
      const visible = change.notifiedMs + FIXED_DELAY_MS;
      t = Math.max(t + 500, visible);
      const at = t;
      clock.at(at, () => {
        void handle(change);
      });
    }
  } else {
    // Five pollers: each takes the next visible message when it is free.
    const worker = async (): Promise<void> => {
      for (;;) {
        const change = queue[next++];
        if (change === undefined) return;
        const visible = change.notifiedMs + FIXED_DELAY_MS;
        if (clock.now() < visible) await clock.sleep(visible - clock.now());
        await handle(change);
      }
    };
    clock.at(clock.now(), () => {
      for (let i = 0; i < 5; i++) void worker();
    });
  }
  await clock.run();
  return {
    name:
      mode === 'paced' ? 'published design, paced at 2 calls/s' : 'published design, 5 concurrent functions',
    lookupCalls: api.calls,
    throttles: api.throttles,
    latenciesMs: latencies,
    withAuthor,
    withoutAuthor,
  };
}
