/**
 * A replay worker thread (`replay --workers N`): reads, parses and scans the CloudTrail files the main
 * thread sends it, and sends back only what the main thread needs (counts, error messages, alerts, the
 * compact events that name a wanted key). Files are read ahead, across the tasks it holds, as
 * `readDocuments` reads ahead on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfigFile } from '../config/load.js';
import { defaultConfig } from '../core/config/schema.js';
import { resolveRuleSet } from '../core/rules/config.js';
import { RuleGate } from '../core/rules/gate.js';
import { type DocumentRead, READ_AHEAD, startReading } from '../io/read-documents.js';
import { type DocumentScan, Scanner } from './replay-scan.js';
import type { FileEntry, FromWorker, ToWorker, WorkerInit } from './replay-workers.js';

const port = parentPort;
if (port === null)
  throw new Error('replay-worker.js runs as a worker thread of `cloudblame replay --workers N`');
const init = workerData as WorkerInit;
const config = init.configFile === undefined ? defaultConfig() : await loadConfigFile(init.configFile);
const scanner = new Scanner(new RuleGate(resolveRuleSet(config.rules)), new Set(init.wanted));
/** How many keys of the main thread's learned-key log this worker has added to its set. */
let version = 0;

/** A file of a task; its reading starts when it comes within the read-ahead. */
class FileJob {
  #documents: (() => AsyncGenerator<DocumentRead>) | undefined;

  public constructor(private readonly entry: FileEntry) {}

  public start(): () => AsyncGenerator<DocumentRead> {
    this.#documents ??= startReading(this.entry, { maxBytes: init.maxBytes });
    return this.#documents;
  }
}

interface Task {
  readonly id: number;
  readonly files: readonly FileJob[];
}

/** Tasks in arrival order; the first is being scanned, its file `cursor` now. */
const queue: Task[] = [];
let cursor = 0;
let running = false;

/** Starts reading the file being scanned and the READ_AHEAD files after it, across tasks. */
function readAhead(): void {
  let budget = READ_AHEAD + 1;
  for (const [t, task] of queue.entries()) {
    for (let i = t === 0 ? cursor : 0; i < task.files.length; i++) {
      if (budget-- <= 0) return;
      task.files[i]?.start();
    }
  }
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let task = queue[0]; task !== undefined; task = queue[0]) {
      // The keys known when the scan starts; keys that arrive during it only add to what is kept.
      const startVersion = version;
      const docs: DocumentScan[] = [];
      for (const [i, file] of task.files.entries()) {
        cursor = i;
        readAhead();
        for await (const read of file.start()()) docs.push(scanner.scan(read));
      }
      queue.shift();
      cursor = 0;
      const message: FromWorker = { type: 'result', id: task.id, startVersion, docs };
      port?.postMessage(message);
    }
  } finally {
    running = false;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'learn') {
    for (const key of message.keys) scanner.wanted.add(key);
    version += message.keys.length;
    return;
  }
  queue.push({ id: message.id, files: message.files.map((file) => new FileJob(file)) });
  readAhead();
  drain().catch((error: unknown) => {
    const failed: FromWorker = {
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    port.postMessage(failed);
  });
});
