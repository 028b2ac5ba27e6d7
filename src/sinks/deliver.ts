import { channelKey, groupKey } from '../core/notify/key.js';
import { DeliveryError, DeliveryInProgressError, SinkConfigError } from './errors.js';
import type { IdempotencyStore } from './idempotency.js';
import type { Sink, SinkPayload } from './port.js';
import { type RetryPolicy, withRetry } from './retry.js';

/**
 * Delivers rendered payloads to their sinks, at most once per key and channel: claim the key, deliver with
 * retries, complete the key; when the delivery still fails, release the claim so that a later retry (the
 * SQS redelivery of the message) can deliver it, and report it failed. Sinks are independent: each works
 * through its own items in order while the others proceed, and one failing stops none of the others.
 */

export interface DeliveryItem {
  readonly sink: Sink;
  readonly payload: SinkPayload;
  /** The finding's or the group's idempotency key (`idempotencyKey`, `groupKey`). */
  readonly key: string;
}

/**
 * One message for several findings, each of which is delivered at most once on the channel: every
 * member's key is claimed on its own, members delivered before (by an earlier message, alone or in
 * another group) are left out, and the message is rendered for the members that are left. So a group
 * made again from a partly redelivered batch sends only what was not sent.
 */
export interface GroupDeliveryItem {
  readonly sink: Sink;
  /** The members' own idempotency keys (`idempotencyKey`), distinct. */
  readonly members: readonly string[];
  /** The message for the members at these positions of `members`, in that order (at least one). */
  readonly render: (positions: readonly number[]) => SinkPayload;
}

export type AnyDeliveryItem = DeliveryItem | GroupDeliveryItem;

export interface DeliveryFailure {
  /** The channel key, `<sink name>|<key>`. */
  readonly key: string;
  readonly sink: string;
  readonly error: DeliveryError;
}

/** Keys are channel keys, `<sink name>|<key>`, in the order of the items (a group's members in their order). */
export interface DeliveryReport {
  readonly delivered: string[];
  /** Delivered before (by this process, or by whoever shares the store): not sent again. */
  readonly skipped: string[];
  readonly failed: DeliveryFailure[];
}

/** What `deliverAll` reports as it goes. Never holds a URL or a secret. */
export type DeliveryLogEntry =
  | {
      readonly event: 'retry';
      readonly sink: string;
      readonly key: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: string;
    }
  | { readonly event: 'delivered'; readonly sink: string; readonly key: string; readonly attempts: number }
  | { readonly event: 'skipped'; readonly sink: string; readonly key: string }
  | {
      readonly event: 'failed';
      readonly sink: string;
      readonly key: string;
      readonly attempts: number;
      readonly retryable: boolean;
      readonly error: string;
    }
  | {
      readonly event: 'store-error';
      readonly sink: string;
      readonly key: string;
      readonly operation: 'complete' | 'release';
      readonly error: string;
    };

export interface DeliverOptions {
  readonly log?: (entry: DeliveryLogEntry) => void;
}

type Outcome =
  | { readonly status: 'delivered' | 'skipped'; readonly key: string }
  | { readonly status: 'failed'; readonly failure: DeliveryFailure };

export async function deliverAll(
  items: readonly AnyDeliveryItem[],
  store: IdempotencyStore,
  policy: RetryPolicy = {},
  options: DeliverOptions = {},
): Promise<DeliveryReport> {
  const bySink = new Map<string, { sink: Sink; indexes: number[] }>();
  items.forEach((item, index) => {
    const queue = bySink.get(item.sink.name);
    if (queue === undefined) bySink.set(item.sink.name, { sink: item.sink, indexes: [index] });
    else if (queue.sink !== item.sink) {
      throw new SinkConfigError(
        item.sink.name,
        'two different sinks have this name; sink names must be unique',
      );
    } else queue.indexes.push(index);
  });

  const outcomes: Outcome[][] = new Array(items.length);
  await Promise.all(
    [...bySink.values()].map(async ({ indexes }) => {
      for (const index of indexes) outcomes[index] = await deliverOne(items[index]!, store, policy, options);
    }),
  );

  const report: DeliveryReport = { delivered: [], skipped: [], failed: [] };
  for (const outcome of outcomes.flat()) {
    if (outcome.status === 'failed') report.failed.push(outcome.failure);
    else report[outcome.status].push(outcome.key);
  }
  return report;
}

async function deliverOne(
  item: AnyDeliveryItem,
  store: IdempotencyStore,
  policy: RetryPolicy,
  options: DeliverOptions,
): Promise<Outcome[]> {
  const { sink } = item;
  const members = 'members' in item ? item.members : [item.key];
  const render = 'members' in item ? item.render : () => item.payload;
  const keys = members.map((member) => channelKey(sink.name, member));
  const log = options.log ?? (() => undefined);
  const failure = (key: string, error: DeliveryError): Outcome => {
    log({
      event: 'failed',
      sink: sink.name,
      key,
      attempts: error.context.attempts,
      retryable: error.retryable,
      error: error.message,
    });
    return { status: 'failed', failure: { key, sink: sink.name, error } };
  };

  const outcomes: Outcome[] = new Array(keys.length);
  const claimed: number[] = [];
  for (const [position, key] of keys.entries()) {
    let claim: Awaited<ReturnType<IdempotencyStore['claim']>>;
    try {
      claim = await store.claim(key);
    } catch (error) {
      outcomes[position] = failure(
        key,
        unexpected(sink.name, 'the idempotency store could not claim the key', 0, error, true),
      );
      continue;
    }
    if (claim === 'done') {
      log({ event: 'skipped', sink: sink.name, key });
      outcomes[position] = { status: 'skipped', key };
    } else if (claim === 'in-progress') {
      outcomes[position] = failure(
        key,
        new DeliveryInProgressError('another delivery of this key is in progress', {
          sink: sink.name,
          attempts: 0,
          retryable: true,
        }),
      );
    } else claimed.push(position);
  }
  if (claimed.length === 0) return outcomes;
  /** Releases every claim (so that a later retry can deliver) and fails the claimed members with `error`. */
  const giveBack = async (error: DeliveryError): Promise<Outcome[]> => {
    for (const position of claimed) {
      const memberKey = keys[position]!;
      await store.release(memberKey).catch((releaseError: unknown) => {
        log({
          event: 'store-error',
          sink: sink.name,
          key: memberKey,
          operation: 'release',
          error: describe(releaseError),
        });
      });
      outcomes[position] = failure(memberKey, error);
    }
    return outcomes;
  };
  if (policy.deadlineMs !== undefined && (policy.now ?? Date.now)() > policy.deadlineMs) {
    // Too late to start: the claims go back, and a later retry (the queue's) delivers.
    const late = new DeliveryError('not attempted: the delivery deadline has passed', {
      sink: sink.name,
      attempts: 0,
      retryable: true,
    });
    return giveBack(late);
  }

  // The key the sink sees (a webhook's idempotency header): the member's, or the group's of those sent.
  const key =
    claimed.length === 1
      ? keys[claimed[0]!]!
      : channelKey(sink.name, groupKey(claimed.map((position) => members[position]!)));
  let attempts = 0;
  try {
    const payload = render(claimed);
    await withRetry(
      (attempt) => {
        attempts = attempt;
        return sink.deliver(payload, key);
      },
      {
        ...policy,
        onRetry: (info) => {
          log({
            event: 'retry',
            sink: sink.name,
            key,
            attempt: info.attempt,
            delayMs: info.delayMs,
            error: info.error.message,
          });
          policy.onRetry?.(info);
        },
      },
    );
  } catch (error) {
    const reason =
      error instanceof DeliveryError
        ? error
        : unexpected(sink.name, 'the sink failed unexpectedly', attempts, error, false);
    return giveBack(reason);
  }

  log({ event: 'delivered', sink: sink.name, key, attempts });
  for (const position of claimed) {
    const memberKey = keys[position]!;
    try {
      await store.complete(memberKey);
    } catch (error) {
      // Sent all the same: report it delivered, and say that the key may be sent again.
      log({
        event: 'store-error',
        sink: sink.name,
        key: memberKey,
        operation: 'complete',
        error: describe(error),
      });
    }
    outcomes[position] = { status: 'delivered', key: memberKey };
  }
  return outcomes;
}

/**
 * A DeliveryError for something that is not one. Only the thrown value's name is quoted: a third-party
 * sink's message could hold its URL. The value itself is kept as the cause.
 */
function unexpected(
  sink: string,
  problem: string,
  attempts: number,
  error: unknown,
  retryable: boolean,
): DeliveryError {
  return new DeliveryError(
    `${problem} (${describe(error)})`,
    { sink, attempts, retryable },
    { cause: error },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
