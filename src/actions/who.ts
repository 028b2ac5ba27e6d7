import type { Writable } from 'node:stream';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { LiveLookupError } from '../aws/errors.js';
import { homeRegion } from '../aws/regions.js';
import type { TokenBucket } from '../aws/token-bucket.js';
import { formatTimeline, type TimelineFormat } from '../cli/output/timeline.js';
import { expandAliases } from '../core/correlate.js';
import { identifiersOf } from '../core/identifiers.js';
import { principalOfEvent } from '../core/principal.js';
import { plainText } from '../core/render/escape.js';
import {
  type ResourceLookup,
  refersTo,
  resourceLookup,
  type StoredEvent,
  storedEventOf,
  type TimelineEntry,
  type TimeRange,
  timelineOf,
} from '../core/timeline.js';
import { IndexFileError, type IndexSpan, SqliteEventIndex } from '../index/sqlite.js';
import { DEFAULT_LIMIT } from './defaults.js';
import { describeRange, indexSpanText, READS_NOT_INDEXED } from './index-span.js';

export interface WhoOptions {
  readonly range?: TimeRange;
  /** Only events of this account. */
  readonly accountId?: string;
  /** Include read-only and failed calls (only in an index built with `--all`). @default false */
  readonly includeReads?: boolean;
  /** The newest `limit` events; 0 for all. @default DEFAULT_LIMIT */
  readonly limit?: number;
}

export interface WhoResult {
  readonly resource: string;
  /** Newest first. */
  readonly entries: TimelineEntry[];
  /** Which source answered; `none` when neither had anything. */
  readonly source: 'index' | 'lookup-events' | 'none';
  /** More events matched than `limit`. */
  readonly truncated: boolean;
  /** Keys beyond the resource's own that were followed (aliases an event tied to it). */
  readonly aliases: readonly string[];
  /**
   * When the index had nothing: the times of its oldest and newest events (absent for an empty index),
   * so that a stale index, or a `--since` past its end, shows.
   */
  readonly indexSpan?: IndexSpan;
  /** Reads were asked for (`--all`) but the index was built without them. */
  readonly readsNotIndexed?: true;
  /**
   * When a bare name was asked and the events found name more than one kind of resource by it (a role and
   * its instance profile often share a name): each kind with its events, most first.
   */
  readonly kinds?: readonly { readonly type: string; readonly events: number }[];
}

/** The kinds of resource the events name by the lookup's own keys, when there are several. */
function kindsOf(events: readonly StoredEvent[], lookup: ResourceLookup): WhoResult['kinds'] {
  if (lookup.arn !== undefined) return undefined;
  const keys = new Set(lookup.keys);
  const counts = new Map<string, number>();
  for (const event of events) {
    const types = new Set<string>();
    for (const id of event.identifiers)
      if (id.resourceType !== undefined && keys.has(id.value)) types.add(id.resourceType);
    for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  if (counts.size < 2) return undefined;
  return [...counts].map(([type, n]) => ({ type, events: n })).sort((a, b) => b.events - a.events);
}

/**
 * Events read per key for the names they tie to the resource, the newest. Many events tie the same names
 * again (every configuration change of a Lambda function ties its name and ARN: thousands in the bench's
 * index); a resource's creation, the one that matters most, is often its only tie.
 */
const MAX_TIES = 20;

/** IAM unique ids of roles, users, groups, managed policies and instance profiles (`AROA…`, `AIDA…`). */
const IAM_UNIQUE_ID = /^A(?:RO|ID|GP|NP|IP)A[A-Z0-9]{12,28}$/;

function limitOf(options: WhoOptions): number {
  return options.limit ?? DEFAULT_LIMIT;
}

function keep(events: StoredEvent[], lookup: ResourceLookup): StoredEvent[] {
  return events.filter((event) => refersTo(event, lookup));
}

/**
 * The change timeline of a resource id, name or ARN from an open index, newest first: the events that
 * carry it, then, one hop, the events that carry another name an event tied to it (a CreateRole ties a
 * role's `AROA…` id to its name and ARN). Synchronous: one query costs a few index range scans.
 */
export function queryWho(index: SqliteEventIndex, resource: string, options: WhoOptions = {}): WhoResult {
  const lookup = resourceLookup(resource);
  const limit = limitOf(options);
  const query = {
    ...(options.range?.fromMs !== undefined && { fromMs: options.range.fromMs }),
    ...(options.range?.toMs !== undefined && { toMs: options.range.toMs }),
    ...(options.accountId !== undefined && { accountId: options.accountId }),
    includeReads: options.includeReads ?? false,
    limit: limit > 0 ? limit + 1 : 0,
  };
  const found = keep(index.eventsByKeys(lookup.keys, query), lookup);
  // The events that tied the resource's names, whatever their time: a resource's creation is seldom among
  // its newest events or inside `--since`, yet the names it tied still name the resource.
  const ties = keep(
    index.aliasTies(lookup.keys, {
      limit: MAX_TIES,
      ...(options.accountId !== undefined && { accountId: options.accountId }),
    }),
    lookup,
  );
  const tying = [...found, ...ties];
  const extra = expandAliases(lookup.keys, tying).filter((key) => !lookup.keys.includes(key));
  // An alias is a name as often as an id: only events of the accounts the resource was found in follow it.
  const accounts = new Set(tying.map((event) => event.accountId));
  // With a full page found already, an alias's events older than its last cannot make the page: not read.
  const last = limit > 0 && found.length > limit ? found[limit - 1]!.eventTimeMs : undefined;
  const aliasQuery = last === undefined ? query : { ...query, fromMs: Math.max(query.fromMs ?? last, last) };
  const events =
    extra.length > 0
      ? [...found, ...index.eventsByKeys(extra, aliasQuery).filter((event) => accounts.has(event.accountId))]
      : found;
  const entries = timelineOf(events, 'index');
  const truncated = limit > 0 && entries.length > limit;
  const span = entries.length === 0 ? index.timeSpan() : undefined;
  const kinds = kindsOf(found, lookup);
  return {
    resource: lookup.resource,
    entries: truncated ? entries.slice(0, limit) : entries,
    source: entries.length > 0 ? 'index' : 'none',
    truncated,
    aliases: extra,
    ...(span !== undefined && { indexSpan: span }),
    ...(options.includeReads === true && !index.holdsReads() && { readsNotIndexed: true as const }),
    ...(kinds !== undefined && { kinds }),
  };
}

/** For benchmarks and scripts: opens the index read-only, runs one `who` query and closes it. */
export function whoOnce(db: string, resource: string, options: WhoOptions = {}): WhoResult {
  const index = SqliteEventIndex.open(db, { readonly: true });
  try {
    return queryWho(index, resource, options);
  } finally {
    index.close();
  }
}

export interface LiveContext {
  /** A CloudTrail client for a region (global resources are looked up in their home region). */
  readonly clientFor: (region: string) => CloudTrailClient;
  /** The region of the CLI's profile or `--region`. */
  readonly region: string;
  readonly bucket?: TokenBucket;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly maxPages?: number;
}

/** Global services log in their partition's home region; a lookup for an IAM ARN goes there. */
export function liveRegionFor(resource: string, region: string): string {
  const service = resource.startsWith('arn:') ? resource.split(':')[2] : undefined;
  return service === 'iam' || service === 'cloudfront' || service === 'route53' || service === 'organizations'
    ? homeRegion(resource)
    : region;
}

/**
 * Aliases `who --live` follows, at most: each is one more `LookupEvents` search (calls are 500 ms apart).
 * They are taken in the order the events found name them, and CloudTrail returns the newest first.
 */
export const MAX_LIVE_ALIASES = 3;

/**
 * The timeline of a resource from CloudTrail's event history (`LookupEvents`, the last 90 days): its own
 * value first, then for an ARN its bare name, until one answers; then, one hop as `queryWho` does, the
 * other names the events found tie to it (a CreateRole ties a role's name to its `AROA…` id and ARN),
 * each searched too, keeping their events of the accounts the resource was found in.
 */
export async function queryWhoLive(
  resource: string,
  live: LiveContext,
  options: WhoOptions = {},
  onNote: (note: string) => void = () => undefined,
): Promise<WhoResult & { readonly region: string; readonly calls: number }> {
  const lookup = resourceLookup(resource);
  const region = liveRegionFor(lookup.resource, live.region);
  const names = [lookup.resource, ...(lookup.arn?.name !== undefined ? [lookup.arn.name] : [])];
  const limit = limitOf(options);
  let calls = 0;
  // Loaded only for --live: the AWS SDK is most of the time a plain `who` would take to start.
  const { lookupResourceEvents } = await import('../aws/live-lookup.js');
  const search = async (name: string, nameRegion: string): Promise<StoredEvent[]> => {
    const result = await lookupResourceEvents(name, options.range ?? {}, {
      client: live.clientFor(nameRegion),
      region: nameRegion,
      ...(live.bucket !== undefined && { bucket: live.bucket }),
      ...(live.now !== undefined && { now: live.now }),
      ...(live.sleep !== undefined && { sleep: live.sleep }),
      ...(live.random !== undefined && { random: live.random }),
      ...(live.maxPages !== undefined && { maxPages: live.maxPages }),
      onThrottle: ({ attempt, delayMs }) =>
        onNote(`LookupEvents throttled (attempt ${attempt}); retrying in ${delayMs} ms`),
      onRecordError: (error) => onNote(`skipped a LookupEvents record: ${error.message}`),
    });
    calls += result.calls;
    if (result.truncated)
      onNote(`LookupEvents for ${name} returned more than ${result.pages} pages; only those were read`);
    return result.events
      .filter((event) => options.accountId === undefined || event.accountId === options.accountId)
      .map((event) => storedEventOf(event, principalOfEvent(event), identifiersOf(event)))
      .filter((event) => options.includeReads === true || event.change);
  };
  const searched = new Set([...lookup.keys, ...names]);
  for (const name of names) {
    const found = await search(name, region);
    if (found.length === 0) continue;
    const aliases = expandAliases(lookup.keys, found)
      .filter((key) => !searched.has(key))
      .slice(0, MAX_LIVE_ALIASES);
    // An alias is a name as often as an id: only events of the accounts the resource was found in count.
    const accounts = new Set(found.map((event) => event.accountId));
    const events = [...found];
    for (const alias of aliases) {
      const more = await search(alias, liveRegionFor(alias, region));
      events.push(...more.filter((event) => accounts.has(event.accountId)));
    }
    const entries = timelineOf(events, 'lookup-events');
    const truncated = limit > 0 && entries.length > limit;
    return {
      resource: lookup.resource,
      entries: truncated ? entries.slice(0, limit) : entries,
      source: 'lookup-events',
      truncated,
      aliases,
      region,
      calls,
    };
  }
  return {
    resource: lookup.resource,
    entries: [],
    source: 'none',
    truncated: false,
    aliases: [],
    region,
    calls,
  };
}

export interface WhoContext extends WhoOptions {
  readonly db: string;
  readonly resource: string;
  readonly format: TimelineFormat;
  /** Terminal width for the table. @default 120 */
  readonly width?: number;
  /** Ask CloudTrail `LookupEvents` when the index has no answer. */
  readonly live?: LiveContext;
}

export interface WhoStreams {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/**
 * `cloudblame who`: the resource's change timeline from the index, or with `live` from CloudTrail when
 * the index has nothing. The table says which source answered; JSON Lines and CSV carry it per event.
 * Exit code 0 (also when nothing is found), 2 when the index cannot be opened and there is no `live`,
 * 3 when the live lookup fails.
 */
export async function who(
  ctx: WhoContext,
  streams: WhoStreams,
): Promise<{ exitCode: number; result: WhoResult }> {
  const shown = plainText(ctx.resource.trim(), { singleLine: true });
  let result: WhoResult = {
    resource: ctx.resource.trim(),
    entries: [],
    source: 'none',
    truncated: false,
    aliases: [],
  };
  let indexNote = '';
  // Set when the index answered nothing: its span, or null when it holds no events.
  let indexSpan: IndexSpan | null | undefined;
  try {
    result = whoOnce(ctx.db, ctx.resource, ctx);
    if (result.entries.length === 0) indexSpan = result.indexSpan ?? null;
  } catch (error) {
    if (!(error instanceof IndexFileError)) throw error;
    if (ctx.live === undefined) {
      streams.stderr.write(`cloudblame: ${error.message}\n`);
      return { exitCode: 2, result };
    }
    indexNote = ` (${error.message})`;
  }
  let sourceText = `the index ${ctx.db}`;
  if (result.entries.length === 0 && ctx.live !== undefined) {
    streams.stderr.write(
      `cloudblame: nothing about ${shown} in the index${indexNote}; asking CloudTrail LookupEvents (last 90 days)\n`,
    );
    try {
      const live = await queryWhoLive(ctx.resource, ctx.live, ctx, (note) =>
        streams.stderr.write(`cloudblame: ${plainText(note, { singleLine: true })}\n`),
      );
      result = live;
      sourceText = `CloudTrail LookupEvents in ${live.region} (${live.calls} call${live.calls === 1 ? '' : 's'})`;
    } catch (error) {
      if (!(error instanceof LiveLookupError)) throw error;
      streams.stderr.write(`cloudblame: ${error.message}\n`);
      return { exitCode: 3, result };
    }
  }
  const range = describeRange(ctx.range);
  if (result.readsNotIndexed === true) streams.stderr.write(`cloudblame: ${READS_NOT_INDEXED}\n`);
  if (result.entries.length === 0) {
    const where = ctx.live !== undefined ? `the index or CloudTrail's last 90 days` : `the index ${ctx.db}`;
    const hint = ctx.live === undefined ? '; try --live to ask CloudTrail LookupEvents' : '';
    streams.stderr.write(`cloudblame: no changes to ${shown} found in ${where}${range}${hint}\n`);
    if (indexSpan !== undefined)
      streams.stderr.write(`cloudblame: ${indexSpanText(indexSpan ?? undefined)}\n`);
    if (IAM_UNIQUE_ID.test(result.resource))
      streams.stderr.write(
        `cloudblame: CloudTrail names an IAM role, user or group by its ${result.resource.slice(0, 4)}… id only in the call that created it; ask by its name or ARN\n`,
      );
  } else {
    const count = `${result.entries.length}${result.truncated ? '+' : ''}`;
    const what = ctx.includeReads ? 'event' : 'change';
    const plural = result.entries.length === 1 && !result.truncated ? '' : 's';
    const line = `${count} ${what}${plural} to ${shown}${range}, newest first, from ${sourceText}`;
    if (ctx.format === 'table') streams.stdout.write(`${line}\n`);
    else streams.stderr.write(`cloudblame: ${line}\n`);
    if (result.aliases.length > 0) {
      const aliases = plainText(result.aliases.join(', '), { singleLine: true });
      streams.stderr.write(`cloudblame: also followed ${aliases}, which events tie to it\n`);
    }
    if (result.kinds !== undefined) {
      const kinds = result.kinds
        .map((k) => `${k.type} (${k.events} event${k.events === 1 ? '' : 's'})`)
        .join(', ');
      streams.stderr.write(
        `cloudblame: ${shown} names more than one kind of resource in these events: ${kinds}; ask by ARN for one of them\n`,
      );
    }
  }
  if (result.entries.length > 0 || ctx.format === 'csv') {
    streams.stdout.write(formatTimeline(result.entries, ctx.format, { width: ctx.width ?? 120 }));
  }
  if (result.truncated) {
    streams.stderr.write(`cloudblame: showing the newest ${result.entries.length}; use --limit 0 for all\n`);
  }
  return { exitCode: 0, result };
}
