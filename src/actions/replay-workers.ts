/**
 * `replay --workers N`: the CloudTrail pass on N worker threads, with the same findings as one thread.
 *
 * The main thread walks the paths (in the order `readDocuments` reads them) and hands out tasks of a few
 * consecutive files, two tasks per worker at a time so no worker waits for its next task. Workers read (on
 * their own thread, see replay-worker.ts), parse and scan (rules on every event, identifiers of the writes)
 * and send back per-document scans: counts, error messages, alerts, and the compact events that name a
 * wanted key. The main thread applies the scans in file order, exactly as the single-threaded pass does, so
 * errors print in the same order, alerts come in the same order and the index receives the same events.
 *
 * One subtlety keeps the two modes identical. The single-threaded pass grows its set of wanted keys as it
 * goes: an event kept because it names a wanted resource may teach other names of that resource (a
 * CreateSecurityGroup ties the group's name to its id; an AssociateRouteTable ties an association id to
 * its route table), and a later event is kept for naming one of those. A worker cannot know what an
 * earlier file, scanned elsewhere, would teach. So:
 * - workers keep every event that names a key they know, and learn aliases from what they keep, which is
 *   always a superset of what the single-threaded pass keeps when they know at least its keys;
 * - the main thread re-applies the single-threaded rule to the kept events, in file order, with the exact
 *   set of keys the single-threaded pass would have at that point, and sends the keys it learns to every
 *   worker (a log: each worker counts the keys it has added);
 * - a file whose scan started before the worker had every key learned from earlier files is scanned again,
 *   once those keys are known. Learning is rare (creations and associations of resources that changed),
 *   so this costs a handful of files at most.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ReadOptions } from '../io/read-documents.js';
import { walkFiles } from '../io/walk.js';
import { type DocumentScan, readErrorScan } from './replay-scan.js';

/** What a worker is started with. */
export interface WorkerInit {
  readonly configFile?: string;
  readonly maxBytes?: number;
  /** Skim CloudTrail log files (`SkimOptions.skim`). */
  readonly skim: boolean;
}

/** A file to read, as `walkFiles` finds it. */
export interface FileEntry {
  readonly path: string;
  readonly lineDelimited: boolean;
}

export type ToWorker =
  /** The wanted keys after the Config pass: sent first, before any task. */
  | { readonly type: 'wanted'; readonly keys: readonly string[] }
  | { readonly type: 'task'; readonly id: number; readonly files: readonly FileEntry[] }
  | { readonly type: 'learn'; readonly keys: readonly string[] };

export type FromWorker =
  | {
      readonly type: 'result';
      readonly id: number;
      readonly startVersion: number;
      readonly docs: DocumentScan[];
    }
  | { readonly type: 'failed'; readonly message: string };

/** `--workers 0` or `auto`: one per core the process may use. */
export function workerCount(requested: number): number {
  return requested <= 0 ? availableParallelism() : requested;
}

/**
 * Worker threads started before the Config pass, so that their start (loading modules, reading the
 * config file) overlaps it instead of following it.
 */
export interface WorkerPool {
  readonly workers: readonly Worker[];
  /** Stops every worker; the pool cannot be used after. */
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  readonly count: number;
  readonly configFile?: string;
  /** Skim CloudTrail log files (`SkimOptions.skim`). */
  readonly skim: boolean;
  readonly maxBytes?: number;
}

export function startWorkers(options: WorkerPoolOptions): WorkerPool {
  const init: WorkerInit = {
    ...(options.configFile !== undefined && { configFile: options.configFile }),
    skim: options.skim,
    ...(options.maxBytes !== undefined && { maxBytes: options.maxBytes }),
  };
  const workers = Array.from({ length: options.count }, () => new Worker(WORKER_URL, { workerData: init }));
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

export interface ParallelPassOptions {
  readonly pool: WorkerPool;
  readonly paths: readonly string[];
  /** The wanted keys after the Config pass; not changed here. */
  readonly wanted: ReadonlySet<string>;
  readonly read?: ReadOptions;
  /**
   * Applies the scans of consecutive files, in file order, as the single-threaded pass does; returns the
   * keys it added to the wanted set, in the order it added them.
   */
  readonly apply: (docs: readonly DocumentScan[]) => Promise<string[]>;
}

const WORKER_URL = new URL('./replay-worker.js', import.meta.url);

/** Consecutive files per task: one message each way per task, whatever the number of files. */
const FILES_PER_TASK = 8;
/** Tasks each worker holds at once: one being scanned, the next one waiting. */
const DEPTH = 2;
/** Tasks scanned ahead of the one applied next, at most (results wait in memory until their turn). */
const WINDOW_PER_WORKER = 4;

interface Slot {
  readonly files: readonly FileEntry[];
  result?: { readonly startVersion: number; readonly docs: DocumentScan[] };
}

/** The CloudTrail pass on the pool's workers; closes the pool when done. */
export async function parallelPass(options: ParallelPassOptions): Promise<void> {
  const { workers } = options.pool;
  const wanted: ToWorker = { type: 'wanted', keys: [...options.wanted] };
  for (const worker of workers) worker.postMessage(wanted);
  const load = new Map<Worker, number>(workers.map((w) => [w, 0]));
  const owner = new Map<number, Worker>();
  const slots = new Map<number, Slot>();
  const learned: string[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  for (const worker of workers) {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'failed') {
        failure ??= new Error(`a replay worker failed: ${message.message}`);
      } else {
        load.set(worker, (load.get(worker) ?? 1) - 1);
        const slot = slots.get(message.id);
        if (slot !== undefined && owner.get(message.id) === worker) {
          slot.result = { startVersion: message.startVersion, docs: message.docs };
        }
      }
      signal();
    });
    worker.on('error', (error) => {
      failure ??= error;
      signal();
    });
    worker.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`a replay worker exited with code ${code}`);
      signal();
    });
  }

  const send = (id: number, slot: Slot): void => {
    let best = workers[0]!;
    for (const worker of workers) if ((load.get(worker) ?? 0) < (load.get(best) ?? 0)) best = worker;
    load.set(best, (load.get(best) ?? 0) + 1);
    owner.set(id, best);
    slot.result = undefined;
    const task: ToWorker = { type: 'task', id, files: slot.files };
    best.postMessage(task);
  };

  const walker = walkFiles(options.paths, options.read);
  let walked = false;
  let nextId = 0;
  let applied = 0;
  const window = WINDOW_PER_WORKER * workers.length;
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      // Hand out files, a task of consecutive files at a time, while a worker has room and the window allows.
      while (!walked && nextId - applied < window && [...load.values()].some((n) => n < DEPTH)) {
        const files: FileEntry[] = [];
        let failed: Slot | undefined;
        while (files.length < FILES_PER_TASK) {
          const next = await walker.next();
          if (next.done === true) {
            walked = true;
            break;
          }
          const entry = next.value;
          if ('failed' in entry) {
            // A path that could not be walked: applied in its turn, as the single-threaded pass applies it.
            const { source, error } = entry.failed;
            failed = {
              files: [],
              result: {
                startVersion: Number.POSITIVE_INFINITY,
                docs: [readErrorScan(source, error.message)],
              },
            };
            break;
          }
          files.push(entry);
        }
        if (files.length > 0) {
          const id = nextId++;
          const slot: Slot = { files };
          slots.set(id, slot);
          send(id, slot);
        }
        if (failed !== undefined) slots.set(nextId++, failed);
      }
      // Apply every task whose turn has come and whose scan is back.
      let progressed = false;
      for (let slot = slots.get(applied); slot?.result !== undefined; slot = slots.get(applied)) {
        if (slot.result.startVersion < learned.length) {
          // Scanned before the worker knew every key learned from earlier files: scan them again.
          send(applied, slot);
          break;
        }
        const keys = await options.apply(slot.result.docs);
        slots.delete(applied);
        owner.delete(applied);
        applied += 1;
        progressed = true;
        if (keys.length > 0) {
          learned.push(...keys);
          const message: ToWorker = { type: 'learn', keys };
          for (const worker of workers) worker.postMessage(message);
        }
      }
      if (walked && applied === nextId) return;
      if (!progressed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
  } finally {
    await walker.return(undefined);
    await options.pool.close();
  }
}
