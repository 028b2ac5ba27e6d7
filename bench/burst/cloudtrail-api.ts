/**
 * CloudTrail's `LookupEvents` as the simulation sees it: 2 requests per second per account and region
 * (a bucket of 2, refilled at 2 per second, on the server's side), a fixed round trip, and only the events
 * CloudTrail has delivered by the time of the call. A call over the quota fails at once with
 * `ThrottlingException`, as the SDK reports it.
 */
import type {
  CloudTrailClient,
  LookupEventsCommand,
  LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { getOrCreate } from '../lib/format.js';
import { type LookupRecord, lookupNames } from '../lib/lookup-names.js';
import type { VirtualClock } from './clock.js';
import { type BurstChange, DELAYS } from './scenario.js';

export class ThrottlingException extends Error {
  public readonly $metadata = { httpStatusCode: 400 };
  public readonly $fault = 'client';

  public constructor() {
    super('Rate exceeded');
    this.name = 'ThrottlingException';
  }
}

interface Indexed {
  readonly change: BurstChange;
  readonly timeMs: number;
  readonly text: string;
}

export class SimulatedCloudTrail {
  public calls = 0;
  public throttles = 0;
  #tokens = 2;
  #updatedAt = Number.NEGATIVE_INFINITY;
  readonly #byName = new Map<string, Indexed[]>();

  public constructor(
    private readonly clock: VirtualClock,
    changes: readonly BurstChange[],
    private readonly ratePerSecond = 2,
  ) {
    for (const change of changes) {
      const entry: Indexed = { change, timeMs: change.callMs, text: JSON.stringify(change.record) };
      for (const name of lookupNames(change.record as unknown as LookupRecord)) {
        getOrCreate(this.#byName, name, (): Indexed[] => []).push(entry);
      }
    }
  }

  #take(): boolean {
    const now = this.clock.now();
    if (this.#updatedAt === Number.NEGATIVE_INFINITY) this.#updatedAt = now;
    this.#tokens = Math.min(
      this.ratePerSecond,
      this.#tokens + ((now - this.#updatedAt) / 1000) * this.ratePerSecond,
    );
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** One call: the events CloudTrail has delivered that carry `resourceName`, in [start, end], newest first. */
  public async lookup(
    resourceName: string,
    startMs: number,
    endMs: number,
  ): Promise<{ eventId: string; text: string }[]> {
    this.calls += 1;
    if (!this.#take()) {
      this.throttles += 1;
      await this.clock.sleep(50);
      throw new ThrottlingException();
    }
    await this.clock.sleep(DELAYS.lookupLatencyMs);
    const now = this.clock.now();
    return (this.#byName.get(resourceName) ?? [])
      .filter((e) => e.change.deliveredMs <= now && e.timeMs >= startMs && e.timeMs <= endMs)
      .sort((a, b) => b.timeMs - a.timeMs)
      .map((e) => ({ eventId: String(e.change.record['eventID']), text: e.text }));
  }

  /** The same API behind the SDK client's `send`, for cloudblame's LookupEventsFallback. */
  public client(): CloudTrailClient {
    const send = async (command: LookupEventsCommand): Promise<LookupEventsCommandOutput> => {
      const input = command.input;
      const name = input.LookupAttributes?.[0]?.AttributeValue ?? '';
      const events = await this.lookup(
        name,
        input.StartTime?.getTime() ?? 0,
        input.EndTime?.getTime() ?? Number.MAX_SAFE_INTEGER,
      );
      return {
        $metadata: { httpStatusCode: 200 },
        Events: events
          .slice(0, input.MaxResults ?? 50)
          .map((e) => ({ EventId: e.eventId, CloudTrailEvent: e.text })),
      };
    };
    return { send } as unknown as CloudTrailClient;
  }
}
