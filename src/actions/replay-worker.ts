/**
 * A replay worker thread (`replay --workers N`): reads, parses and scans the CloudTrail files the main
 * thread sends it, and sends back only what the main thread needs (counts, error messages, alerts, the
 * compact events that name a wanted key). Files are read and gunzipped on this thread
 * (`readDocumentsBlocking`), not on libuv's thread pool: with a worker per core every core is busy parsing,
 * and the pool's trips (a thread woken and a callback back, five per file) cost more than they overlap.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfigFile } from '../config/load.js';
import { defaultConfig } from '../core/config/schema.js';
import { resolveRuleSet } from '../core/rules/config.js';
import { RuleGate } from '../core/rules/gate.js';
import { readDocumentsBlocking } from '../io/read-documents.js';
import { type DocumentScan, Scanner } from './replay-scan.js';
import type { FileEntry, FromWorker, ToWorker, WorkerInit } from './replay-workers.js';

const port = parentPort;
if (port === null)
  throw new Error('replay-worker.js runs as a worker thread of `cloudblame replay --workers N`');
const init = workerData as WorkerInit;
const config = init.configFile === undefined ? defaultConfig() : await loadConfigFile(init.configFile);
const scanner = new Scanner(new RuleGate(resolveRuleSet(config.rules)), new Set());
const readOptions = { skim: init.skim, ...(init.maxBytes !== undefined && { maxBytes: init.maxBytes }) };
/** How many keys of the main thread's learned-key log this worker has added to its set. */
let version = 0;

interface Task {
  readonly id: number;
  readonly files: readonly FileEntry[];
}

/** Tasks in arrival order; the first is being scanned. */
const queue: Task[] = [];
let running = false;

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let task = queue[0]; task !== undefined; task = queue[0]) {
      // The keys known when the scan starts; keys that arrive during it only add to what is kept.
      const startVersion = version;
      const docs: DocumentScan[] = [];
      for (const file of task.files) {
        for await (const read of readDocumentsBlocking(file, readOptions)) docs.push(...scanner.scan(read));
      }
      queue.shift();
      const message: FromWorker = { type: 'result', id: task.id, startVersion, docs };
      port?.postMessage(message);
      // Reading blocks this thread: let the messages that came meanwhile (tasks, learned keys) in.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    running = false;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'wanted') {
    for (const key of message.keys) scanner.wanted.add(key);
    return;
  }
  if (message.type === 'learn') {
    for (const key of message.keys) scanner.wanted.add(key);
    version += message.keys.length;
    return;
  }
  queue.push({ id: message.id, files: message.files });
  drain().catch((error: unknown) => {
    const failed: FromWorker = {
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    port.postMessage(failed);
  });
});
