/**
 * `npm run bench`: every figure of bench/README.md, measured side by side in one run, printed as tables
 * and appended as a dated section to bench/RESULTS.md.
 *
 * Options: `USAGE` below (`npm run bench -- --help`). With `--events N`, the first day of the archive, a
 * quarter of it by default, is also replayed alone to show memory at a second size.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { accuracyTables, scoreCorpus, scoreExamples } from './accuracy/index.js';
import { bundlesTable, measureBundles } from './bundles.js';
import { burstTable, simulateBurst } from './burst/index.js';
import type { Manifest } from './gen/generate.js';
import { ensureArchive } from './index/archives.js';
import { indexWhoTables, measureIndexWho } from './index/index.js';
import { fmtInt, fmtMb, fmtNum, renderTable, type Table } from './lib/format.js';
import { measureThroughput, replayOnce, throughputTable } from './throughput/index.js';

const PARTS = ['throughput', 'burst', 'accuracy', 'bundles', 'index'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench -- [options]
  --events N         events in the generated archive (default 1,000,000)
  --seed S           generator and simulation seed (default 20261118)
  --repeat R         alternating runs of each throughput measurement; the best is reported (default 3)
  --write-events N   successful write events indexed by part 5 (default 300,000)
  --index-events N   events of the index part 5 times \`who\` on (default 1,000,000; issue 7's target is for 10,000,000)
  --only LIST        some of: ${PARTS.join(', ')} (default all)
  --data DIR         where the generated archive is kept between runs (default bench/.data)
  --no-results       do not append to bench/RESULTS.md
  --help             this text`;

function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
}

const OPTIONS = {
  events: { type: 'string', default: '1000000' },
  seed: { type: 'string', default: '20261118' },
  repeat: { type: 'string', default: '3' },
  'write-events': { type: 'string', default: '300000' },
  'index-events': { type: 'string', default: '1000000' },
  only: { type: 'string' },
  data: { type: 'string' },
  'no-results': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

const { values } = parseOptions();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

/** The project root: dist/bench/main.js → ../.. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const events = Number(values.events);
const seed = Number(values.seed);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1)
  usageError(`--repeat must be a whole number of at least 1, but ${values.repeat} was given`);
if (!Number.isInteger(seed)) usageError(`--seed must be a whole number, but ${values.seed} was given`);
const parts = new Set<Part>(
  values.only === undefined ? PARTS : (values.only.split(',').map((p) => p.trim()) as Part[]),
);
for (const part of parts)
  if (!PARTS.includes(part)) usageError(`--only takes some of ${PARTS.join(', ')}, but "${part}" was given`);
if (!Number.isInteger(events) || events < 10_000)
  usageError(`--events must be a whole number of at least 10,000, but ${values.events} was given`);
const writeEvents = Number(values['write-events']);
const indexEvents = Number(values['index-events']);
if (!Number.isInteger(writeEvents) || writeEvents < 1_000)
  usageError(
    `--write-events must be a whole number of at least 1,000, but ${values['write-events']} was given`,
  );
if (!Number.isInteger(indexEvents) || indexEvents < 10_000)
  usageError(
    `--index-events must be a whole number of at least 10,000, but ${values['index-events']} was given`,
  );
const dataRoot = resolve(values.data ?? join(root, 'bench', '.data'));
const started = performance.now();

function log(line: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${t}s] ${line}\n`);
}

async function archive(): Promise<{ manifest: Manifest; dir: string }> {
  const { manifest, dir } = await ensureArchive(dataRoot, 'mixed', events, seed, log);
  return { manifest, dir };
}

const tables: Table[] = [];
const { manifest, dir } =
  parts.has('throughput') || parts.has('accuracy') ? await archive() : { manifest: undefined, dir: '' };
log(
  `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${fmtMb(totalmem())} RAM, Node ${process.version}, load ${loadavg()
    .map((l) => fmtNum(l, 2))
    .join(' ')}`,
);

let findingsPath: string | undefined;
if (parts.has('throughput') && manifest !== undefined) {
  log('part 1: throughput (floor and replay alternate; each run is a fresh process)');
  const result = await measureThroughput({ root, manifest, dataDir: dir, repeat, log });
  findingsPath = result.findingsPath;
  tables.push(throughputTable(result));
  process.stdout.write(`\n${renderTable(tables[tables.length - 1]!)}\n`);
}
if (parts.has('burst')) {
  log('part 2: burst simulation (virtual clock)');
  tables.push(burstTable(await simulateBurst()));
  process.stdout.write(`\n${renderTable(tables[tables.length - 1]!)}\n`);
}
if (parts.has('accuracy') && manifest !== undefined) {
  log('part 3: accuracy');
  if (findingsPath === undefined) {
    findingsPath = join(dir, 'findings.workers-1.jsonl');
    if (!existsSync(findingsPath)) {
      log('  no findings from part 1: replaying once...');
      await replayOnce(root, manifest, findingsPath);
    }
  }
  const corpus = scoreCorpus(dir, findingsPath);
  const examples = await scoreExamples(root);
  for (const table of accuracyTables(corpus, examples)) {
    tables.push(table);
    process.stdout.write(`\n${renderTable(table)}\n`);
  }
}
if (parts.has('bundles')) {
  log('part 4: Lambda bundles and cold-start import time');
  tables.push(bundlesTable(await measureBundles(root, dataRoot, 5, log)));
  process.stdout.write(`\n${renderTable(tables[tables.length - 1]!)}\n`);
}
if (parts.has('index')) {
  const options = { root, dataRoot, seed, repeat, writeEvents, indexEvents, log };
  for (const table of indexWhoTables(await measureIndexWho(options), options)) {
    tables.push(table);
    process.stdout.write(`\n${renderTable(table)}\n`);
  }
}

const seconds = (performance.now() - started) / 1000;
log(`done in ${seconds.toFixed(0)} s`);
if (!values['no-results']) {
  const resultsPath = join(root, 'bench', 'RESULTS.md');
  if (!existsSync(resultsPath)) {
    writeFileSync(
      resultsPath,
      '# Benchmark results\n\nEach section is one `npm run bench` (see bench/README.md), newest last. Figures from a shared, noisy machine: compare ratios within a section rather than absolute times across sections.\n',
    );
  }
  const header = [
    '',
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${manifest === undefined ? '' : `${fmtInt(manifest.events)} events (seed ${seed}), `}${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${fmtMb(totalmem())} RAM, Node ${process.version}, ${parts.size === PARTS.length ? 'all parts' : [...parts].join(', ')}, ${seconds.toFixed(0)} s in all.`,
    '',
  ].join('\n');
  appendFileSync(resultsPath, `${header}\n${tables.map(renderTable).join('\n')}`);
  log(`appended to ${resultsPath}`);
}
