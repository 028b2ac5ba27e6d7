/**
 * Writes a reproducible CloudTrail archive in the S3 layout CloudTrail uses
 * (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<random>.json.gz`),
 * AWS Config change events for the written resources of the corpus, and the labels (ground truth) of
 * those changes.
 *
 * Layout of the output directory:
 *   cloudtrail/AWSLogs/...            the archive, one file per account, region and 5 minutes
 *   config/<YYYY-MM-DD>.jsonl         EventBridge "Config Configuration Item Change" events, by capture day
 *   labels.jsonl                      one line per configuration item: the event that caused it, or null
 *   scenario-events.jsonl             the labelled episodes' records (for the published-design model)
 *   manifest.json                     counts, sizes and the paths of each day
 *
 * The archive spans `days` days (at least 2, about 250,000 events a day), so that a replay of the first
 * day alone shows memory at a quarter of the size.
 *
 * `mode: 'writes'` (the indexing benchmark, part 5) writes an archive in the same layout whose records are
 * all successful management writes: the background write records of records.ts with their mix of
 * services and callers, none failed, no labelled episodes and no Config changes; it spans
 * `max(1, round(events / 250,000))` days, so that its files hold as many records as the mixed archive's.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { getOrCreate } from '../lib/format.js';
import { Rng } from '../lib/rng.js';
import { type Episode, type Label, makeEpisode, type PlacedRecord } from './episodes.js';
import { backgroundRecord, type Ctx, type Kind, MIX } from './records.js';
import { type Account, anyCaller, type Json, makeAccount, REGIONS } from './world.js';

const gzipAsync = promisify(gzip);

export const GENERATOR_VERSION = 4;
const SLOT_MS = 5 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
const START = Date.UTC(2026, 10, 18, 0, 0, 0);
const EVENTS_PER_DAY = 250_000;
/** CloudTrail starts a new file when one grows large. */
const MAX_RECORDS_PER_FILE = 1500;

/** `mixed`: the busy production trail of MIX with the labelled corpus; `writes`: successful writes only. */
export type GenerateMode = 'mixed' | 'writes';

export interface GenerateOptions {
  readonly events: number;
  readonly seed: number;
  readonly outDir: string;
  /** @default 'mixed' */
  readonly mode?: GenerateMode;
  /** Configuration items (labelled changes). Default: one per ~330 events, between 200 and 6,000. */
  readonly changes?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DayManifest {
  readonly date: string;
  readonly cloudtrailPaths: string[];
  readonly configPath: string;
  readonly events: number;
  readonly files: number;
  readonly bytes: number;
  readonly compressedBytes: number;
  readonly changes: number;
}

export interface Manifest {
  readonly generatorVersion: number;
  /** Present only for `writes` (a mixed archive's manifest is unchanged). */
  readonly mode?: 'writes';
  readonly seed: number;
  readonly requestedEvents: number;
  readonly events: number;
  readonly files: number;
  /** JSON text of the CloudTrail files, uncompressed. */
  readonly bytes: number;
  readonly compressedBytes: number;
  readonly changes: number;
  readonly accounts: string[];
  readonly regions: string[];
  readonly mix: Record<string, number>;
  readonly days: DayManifest[];
  readonly cloudtrailDir: string;
  readonly configDir: string;
}

const ACCOUNTS: readonly (readonly [string, number])[] = [
  ['111122223333', 0.6],
  ['444455556666', 0.25],
  ['777788889999', 0.15],
];
const REGION_WEIGHT: Readonly<Record<string, number>> = {
  'eu-west-1': 0.55,
  'us-east-1': 0.3,
  'eu-central-1': 0.15,
};

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function dateParts(ms: number): { y: string; m: string; d: string; hhmm: string } {
  const date = new Date(ms);
  return {
    y: String(date.getUTCFullYear()),
    m: pad(date.getUTCMonth() + 1),
    d: pad(date.getUTCDate()),
    hhmm: `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}`,
  };
}

/** Records within a file are roughly, not strictly, in time order, as CloudTrail writes them. */
function roughlyOrdered(rng: Rng, items: PlacedRecord[]): Json[] {
  items.sort((a, b) => a.timeMs - b.timeMs);
  for (let i = 1; i < items.length; i++) {
    if (rng.chance(0.1)) {
      const j = i - 1;
      const a = items[i]!;
      items[i] = items[j]!;
      items[j] = a;
    }
  }
  return items.map((p) => p.record);
}

class Writer {
  readonly #inFlight = new Set<Promise<void>>();
  public files = 0;
  public bytes = 0;
  public compressedBytes = 0;

  public async write(
    path: string,
    text: string,
    day: { files: number; bytes: number; compressedBytes: number },
  ): Promise<void> {
    const task = (async () => {
      const data = await gzipAsync(text, { level: 6 });
      await writeFile(path, data);
      const bytes = Buffer.byteLength(text);
      this.files += 1;
      this.bytes += bytes;
      this.compressedBytes += data.length;
      day.files += 1;
      day.bytes += bytes;
      day.compressedBytes += data.length;
    })();
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
    if (this.#inFlight.size >= 4) await Promise.race(this.#inFlight);
  }

  public async drain(): Promise<void> {
    await Promise.all(this.#inFlight);
  }
}

/** The world's accounts, drawn first from the root generator. */
function makeAccounts(root: Rng): Account[] {
  const worldRng = root.fork('world');
  return ACCOUNTS.map(([id, weight]) => makeAccount(worldRng, id, weight));
}

/**
 * The accounts (principals and resource pools, the main account first) of every archive generated with
 * this seed, whatever its size or mode: the benchmark picks busy resources from them.
 */
export function accountsOf(seed: number): Account[] {
  return makeAccounts(new Rng(seed));
}

export async function generate(options: GenerateOptions): Promise<Manifest> {
  const writesOnly = options.mode === 'writes';
  const root = new Rng(options.seed);
  const accounts: Account[] = makeAccounts(root);
  const days = writesOnly
    ? Math.max(1, Math.round(options.events / EVENTS_PER_DAY))
    : Math.max(2, Math.round(options.events / EVENTS_PER_DAY));
  const startMs = START;
  const endMs = START + days * DAY_MS;
  const slots = (endMs - startMs) / SLOT_MS;
  const changesWanted = writesOnly
    ? 0
    : (options.changes ?? Math.min(6000, Math.max(200, Math.round(options.events / 330))));

  rmSync(options.outDir, { recursive: true, force: true });
  const ctDir = join(options.outDir, 'cloudtrail');
  const configDir = join(options.outDir, 'config');
  mkdirSync(configDir, { recursive: true });

  // 1. The labelled episodes, planned up front (a few records each), bucketed by slot.
  const episodeRng = root.fork('episodes');
  const world = { accounts, startMs, endMs };
  const scenarioBySlot = new Map<number, PlacedRecord[]>();
  const changes: { captureMs: number; event: Json; label: Label }[] = [];
  const scenarioLines: string[] = [];
  let scenarioEvents = 0;
  for (let serial = 1; changes.length < changesWanted; serial++) {
    const t = startMs + 20 * 60_000 + episodeRng.next() * (endMs - startMs - 40 * 60_000);
    const episode: Episode = makeEpisode(episodeRng, world, Math.round(t), serial);
    for (const placed of episode.records) {
      const slot = Math.floor((placed.timeMs - startMs) / SLOT_MS);
      getOrCreate(scenarioBySlot, slot, (): PlacedRecord[] => []).push(placed);
      scenarioLines.push(JSON.stringify(placed.record));
      scenarioEvents += 1;
    }
    for (const c of episode.changes) changes.push(c);
  }
  changes.sort((a, b) => a.captureMs - b.captureMs);

  // 2. Background traffic per slot and stream, with the episodes' records merged in.
  const streams: { account: Account; region: string; weight: number; carry: number }[] = [];
  let totalWeight = 0;
  for (const account of accounts) {
    for (const region of REGIONS) {
      const weight = account.weight * (REGION_WEIGHT[region] ?? 0.1);
      streams.push({ account, region, weight, carry: 0 });
      totalWeight += weight;
    }
  }
  const background = Math.max(0, options.events - scenarioEvents);
  const rhythmOf = (slot: number): number => {
    // A daily rhythm: busier in European working hours.
    const hour = new Date(startMs + slot * SLOT_MS).getUTCHours();
    return 0.6 + 0.8 * Math.max(0, Math.sin(((hour - 5) / 24) * 2 * Math.PI));
  };
  let rhythmSum = 0;
  for (let slot = 0; slot < slots; slot++) rhythmSum += rhythmOf(slot);
  const rhythmMean = rhythmSum / slots;
  const writer = new Writer();
  const mix: Record<string, number> = {};
  const perDay = Array.from({ length: days }, () => ({ events: 0, files: 0, bytes: 0, compressedBytes: 0 }));
  let produced = 0;
  for (let slot = 0; slot < slots; slot++) {
    const slotStart = startMs + slot * SLOT_MS;
    const rng = root.fork(`slot-${slot}`);
    const buffers = new Map<string, PlacedRecord[]>();
    const bufferOf = (account: string, region: string): PlacedRecord[] => {
      return getOrCreate(buffers, `${account}|${region}`, (): PlacedRecord[] => []);
    };
    const rhythm = rhythmOf(slot) / rhythmMean;
    for (const stream of streams) {
      const expected = (background / slots) * (stream.weight / totalWeight) * rhythm + stream.carry;
      const n = Math.floor(expected);
      stream.carry = expected - n;
      for (let i = 0; i < n; i++) {
        const timeMs = slotStart + rng.int(SLOT_MS);
        const kind: Kind = writesOnly ? 'write' : rng.weighted(MIX);
        mix[kind] = (mix[kind] ?? 0) + 1;
        const ctx: Ctx = {
          rng,
          account: stream.account,
          region: stream.region,
          timeMs,
          caller: anyCaller(rng, stream.account),
        };
        const rec = backgroundRecord(ctx, kind, !writesOnly);
        // Global services (IAM) deliver to us-east-1 whatever the caller's region.
        bufferOf(stream.account.id, String(rec['awsRegion'])).push({
          timeMs,
          account: stream.account.id,
          region: String(rec['awsRegion']),
          record: rec,
        });
      }
    }
    for (const placed of scenarioBySlot.get(slot) ?? []) bufferOf(placed.account, placed.region).push(placed);
    scenarioBySlot.delete(slot);

    const { y, m, d, hhmm } = dateParts(slotStart + SLOT_MS);
    const day = Math.floor((slotStart - startMs) / DAY_MS);
    const dayStats = perDay[day]!;
    for (const [key, list] of [...buffers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [account, region] = key.split('|') as [string, string];
      const records = roughlyOrdered(rng, list);
      const dir = join(
        ctDir,
        'AWSLogs',
        account,
        'CloudTrail',
        region,
        y,
        m,
        pad(new Date(slotStart).getUTCDate()),
      );
      mkdirSync(dir, { recursive: true });
      for (let from = 0; from < records.length; from += MAX_RECORDS_PER_FILE) {
        const chunk = records.slice(from, from + MAX_RECORDS_PER_FILE);
        const name = `${account}_CloudTrail_${region}_${y}${m}${d}T${hhmm}Z_${rng.alnum(16)}.json.gz`;
        await writer.write(join(dir, name), JSON.stringify({ Records: chunk }), dayStats);
        dayStats.events += chunk.length;
        produced += chunk.length;
      }
    }
    options.onProgress?.(produced, options.events);
  }
  await writer.drain();

  // 3. Config changes by capture day, and the labels.
  const byDay = new Map<number, string[]>();
  const labelLines: string[] = [];
  for (const c of changes) {
    const day = Math.min(days - 1, Math.floor((c.captureMs - startMs) / DAY_MS));
    getOrCreate(byDay, day, (): string[] => []).push(JSON.stringify(c.event));
    labelLines.push(JSON.stringify({ ...c.label, day }));
  }
  const dayManifests: DayManifest[] = [];
  for (let day = 0; day < days; day++) {
    const date = new Date(startMs + day * DAY_MS).toISOString().slice(0, 10);
    const configPath = join(configDir, `${date}.jsonl`);
    const lines = byDay.get(day) ?? [];
    await writeFile(configPath, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    const [y, m, d] = date.split('-') as [string, string, string];
    const cloudtrailPaths: string[] = [];
    for (const account of accounts) {
      for (const region of REGIONS) {
        const path = join(ctDir, 'AWSLogs', account.id, 'CloudTrail', region, y, m, d);
        if (existsSync(path)) cloudtrailPaths.push(path);
      }
    }
    dayManifests.push({ date, cloudtrailPaths, configPath, ...perDay[day]!, changes: lines.length });
  }
  await writeFile(join(options.outDir, 'labels.jsonl'), `${labelLines.join('\n')}\n`);
  await writeFile(join(options.outDir, 'scenario-events.jsonl'), `${scenarioLines.join('\n')}\n`);

  const manifest: Manifest = {
    generatorVersion: GENERATOR_VERSION,
    ...(writesOnly && { mode: 'writes' as const }),
    seed: options.seed,
    requestedEvents: options.events,
    events: produced,
    files: writer.files,
    bytes: writer.bytes,
    compressedBytes: writer.compressedBytes,
    changes: changes.length,
    accounts: accounts.map((a) => a.id),
    regions: [...REGIONS],
    mix: { ...mix, scenario: scenarioEvents },
    days: dayManifests,
    cloudtrailDir: ctDir,
    configDir,
  };
  await writeFile(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
