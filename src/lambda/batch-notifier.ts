/**
 * The findings of one SQS batch, sent together. Powertools processes a batch's records in parallel;
 * each record hands its findings in (or says it has none) and waits. Once every record has, or when
 * `maxWaitMs` has passed since the first finding came in, the findings are grouped per channel and
 * session and sent, and each record learns how its own findings fared: a record whose findings all
 * reached every channel succeeds, the others fail alone and are retried (members delivered before are
 * never sent again, see `GroupDeliveryItem`).
 */
import type { DeliveryFailure, DeliveryReport } from '../sinks/deliver.js';

/** What became of one record's findings: channel keys, as in a `DeliveryReport`. */
export type RecordDelivery = DeliveryReport;

interface Waiting<F> {
  readonly findings: readonly F[];
  readonly keys: readonly string[];
  readonly resolve: (delivery: RecordDelivery) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatchNotifierOptions<F> {
  /** Records in the batch: each must `submit` or `withdraw` once. */
  readonly records: number;
  /** Sends findings (grouped as the sender sees fit) and reports on every member key. */
  readonly send: (findings: readonly F[]) => Promise<DeliveryReport>;
  /** A finding's own idempotency key (what the report's channel keys end with). */
  readonly keyOf: (finding: F) => string;
  /**
   * Longest wait, from the first submission, for the batch's other records before sending what is in
   * (a record still busy then, with a slow lookup say, is sent on its own later). @default 20 000 ms
   */
  readonly maxWaitMs?: number;
}

export class BatchNotifier<F> {
  readonly #options: BatchNotifierOptions<F>;
  #outstanding: number;
  #waiting: Waiting<F>[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  public constructor(options: BatchNotifierOptions<F>) {
    if (!Number.isInteger(options.records) || options.records < 1)
      throw new RangeError(`records must be a whole number of at least 1, but ${options.records} was given`);
    this.#options = options;
    this.#outstanding = options.records;
  }

  /** Hands in a record's findings; resolves when they have been sent (or have failed). */
  public submit(findings: readonly F[]): Promise<RecordDelivery> {
    this.#outstanding -= 1;
    const promise = new Promise<RecordDelivery>((resolve, reject) => {
      this.#waiting.push({ findings, keys: findings.map(this.#options.keyOf), resolve, reject });
    });
    if (this.#outstanding <= 0) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#options.maxWaitMs ?? 20_000);
    return promise;
  }

  /** A record that will submit nothing (deferred, failed, nothing to notify). */
  public withdraw(): void {
    this.#outstanding -= 1;
    if (this.#outstanding <= 0 && this.#waiting.length > 0) this.#flush();
  }

  #flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    if (waiting.length === 0) return;
    this.#options.send(waiting.flatMap((w) => w.findings)).then(
      (report) => {
        for (const w of waiting) w.resolve(reportFor(report, w.keys));
      },
      (error: unknown) => {
        for (const w of waiting) w.reject(error);
      },
    );
  }
}

/** The part of `report` about these member keys (a channel key is `<sink>|<member key>`). */
function reportFor(report: DeliveryReport, keys: readonly string[]): RecordDelivery {
  const mine = (channelKey: string): boolean => keys.some((key) => channelKey.endsWith(`|${key}`));
  return {
    delivered: report.delivered.filter(mine),
    skipped: report.skipped.filter(mine),
    failed: report.failed.filter((failure: DeliveryFailure) => mine(failure.key)),
  };
}
