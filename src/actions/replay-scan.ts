/**
 * What replay does with one document read from disk, in a form that travels between threads: the same
 * code scans a document on the main thread (`--workers 1`) and in a worker (`--workers N`), and the main
 * thread applies the scans in file order either way, so both modes give the same findings.
 */
import { changeKeys } from '../core/correlate.js';
import { identifiersOf, indexedEventOf, isIndexable, mayBeIndexable } from '../core/identifiers.js';
import type { AlertFinding, ConfigChange, IndexedEvent } from '../core/model.js';
import { parseSkimmedTrailLog } from '../core/parse/cloudtrail.js';
import { type ParsedDocument, parseDocument } from '../core/parse/document.js';
import { principalOfEvent } from '../core/principal.js';
import type { RuleGate } from '../core/rules/gate.js';
import {
  type DocumentRead,
  documentsOfBytes,
  type SkimRead,
  type TrailLogRead,
} from '../io/read-documents.js';
import { alertsFor } from '../pipeline.js';

/** One document's contribution to a replay. Plain data: it is structured-cloned from worker threads. */
export interface DocumentScan {
  /** The file the document came from (a line-delimited file gives several documents). */
  readonly file: string;
  /** Why the file (or line) could not be read; nothing else is set then. */
  readonly readError?: string;
  /** JSON text length in bytes (after gunzip). */
  readonly bytes: number;
  /** Messages of the records or documents that could not be used. */
  readonly errors: readonly string[];
  readonly skipped: Readonly<Record<string, number>>;
  readonly changes: readonly ConfigChange[];
  /** CloudTrail events read, parsed or not. */
  readonly events: number;
  /** Events left unparsed: no rule is about them, and they explain no change (reads, data events...). */
  readonly unparsed: number;
  readonly alerts: readonly AlertFinding[];
  readonly suppressedAlerts: number;
  /** Compact events that name a wanted key (a superset of them, when scanned in a worker). */
  readonly kept: readonly IndexedEvent[];
}

/** `path:12` (a line of a line-delimited file) → `path`. */
export function fileOf(source: string): string {
  const at = source.lastIndexOf(':');
  return at > 0 && /^\d+$/.test(source.slice(at + 1)) ? source.slice(0, at) : source;
}

/**
 * Whether an event names a wanted key; learns, into `wanted`, the other names its alias groups give a
 * wanted resource (calls `learn` with each key it adds).
 */
export function explainsSomeChange(
  event: Pick<IndexedEvent, 'identifiers' | 'aliases'>,
  wanted: Set<string>,
  learn?: (key: string) => void,
): boolean {
  let hit = event.identifiers.some((id) => wanted.has(id.value));
  for (const group of event.aliases) {
    if (group.some((key) => wanted.has(key))) {
      for (const key of group) {
        if (learn !== undefined && !wanted.has(key)) learn(key);
        wanted.add(key);
      }
      hit = true;
    }
  }
  return hit;
}

/** The scan of a file (or line) that could not be read: only its error. */
export function readErrorScan(source: string, message: string): DocumentScan {
  return {
    file: fileOf(source),
    readError: message,
    bytes: 0,
    errors: [],
    skipped: {},
    changes: [],
    events: 0,
    unparsed: 0,
    alerts: [],
    suppressedAlerts: 0,
    kept: [],
  };
}

/**
 * Scans documents against a set of wanted keys (the Config changes' identifiers), which it grows as
 * replay always has: with the keys of changes found and the aliases of the events kept.
 */
export class Scanner {
  public constructor(
    private readonly gate: RuleGate,
    public readonly wanted: Set<string>,
  ) {}

  /** The scans of what one read gave: one, but for a skimmed log file that had to be parsed whole after all. */
  public scan(read: SkimRead): DocumentScan[] {
    if ('error' in read) return [readErrorScan(read.source, read.error.message)];
    if ('log' in read) return this.#scanLog(read);
    return [this.#scanParsed(read, parseDocument(read.doc, read.source), 0)];
  }

  #scanLog(read: TrailLogRead): DocumentScan[] {
    // A record is parsed when a rule may be about it, or when it may be kept to explain a change.
    const skimmed = parseSkimmedTrailLog(read.log, read.source, {
      byTail: (tail) => (this.wanted.size > 0 && mayBeIndexable(tail) ? true : undefined),
      byHead: (head) => this.gate.mayMatch(head),
    });
    if (skimmed === undefined)
      return documentsOfBytes(read.source, read.log).flatMap((doc) => this.scan(doc));
    const parsed: ParsedDocument = { kind: 'cloudtrail', changes: [], ...skimmed };
    return [this.#scanParsed(read, parsed, skimmed.unparsed)];
  }

  #scanParsed(
    read: Exclude<DocumentRead, { error: unknown }> | TrailLogRead,
    parsed: ParsedDocument,
    unparsed: number,
  ): DocumentScan {
    for (const change of parsed.changes) for (const key of changeKeys(change)) this.wanted.add(key);
    const alerts: AlertFinding[] = [];
    const kept: IndexedEvent[] = [];
    let suppressedAlerts = 0;
    // The hot path: runs on every event parsed. Only the rules that can match the event are
    // evaluated, and only an event that names a wanted key is given its principal and compact form.
    for (const event of parsed.events) {
      const candidates = this.gate.rulesFor(event);
      if (candidates.rules.length > 0) {
        const evaluation = alertsFor(event, candidates);
        for (const alert of evaluation.alerts) alerts.push(alert);
        suppressedAlerts += evaluation.suppressed.length;
      }
      if (this.wanted.size === 0 || !isIndexable(event)) continue;
      const ids = identifiersOf(event);
      if (!explainsSomeChange(ids, this.wanted)) continue;
      kept.push(indexedEventOf(event, principalOfEvent(event), ids));
    }
    return {
      file: fileOf(read.source),
      bytes: read.bytes,
      errors: parsed.errors.map((error) => error.message),
      skipped: parsed.skipped,
      changes: parsed.changes,
      events: parsed.events.length + unparsed,
      unparsed,
      alerts,
      suppressedAlerts,
      kept,
    };
  }
}
