import { InputError } from '../errors.js';
import type { ConfigChange, TrailEvent } from '../model.js';
import { isCloudTrailDocument, isCloudTrailEntry, parseCloudTrailDocument } from './cloudtrail.js';
import { isConfigDocument, isConfigEntry, parseConfigDocument } from './config.js';
import { describeDocument } from './shape.js';
import { isSnsNotification, unwrapSns } from './sns.js';

export type DocumentKind = 'cloudtrail' | 'config' | 'unknown';

export interface ParsedDocument {
  readonly kind: DocumentKind;
  readonly events: TrailEvent[];
  readonly changes: ConfigChange[];
  /** Recognised messages that hold no event or change (compliance notifications, digests...), by type. */
  readonly skipped: Record<string, number>;
  readonly errors: InputError[];
}

/** Which family a document (out of any SNS envelope) belongs to. A mixed array goes by its first entry. */
export function classifyDocument(doc: unknown): DocumentKind {
  const trail = isCloudTrailDocument(doc);
  const config = isConfigDocument(doc);
  if (trail && config && Array.isArray(doc)) {
    const first = doc.find((entry) => isCloudTrailEntry(entry) || isConfigEntry(entry));
    return isCloudTrailEntry(first) ? 'cloudtrail' : 'config';
  }
  if (trail) return 'cloudtrail';
  return config ? 'config' : 'unknown';
}

function empty(kind: DocumentKind, errors: InputError[]): ParsedDocument {
  return { kind, events: [], changes: [], skipped: {}, errors };
}

/**
 * Every CloudTrail event and Config change in a document of either family, told apart by shape. A
 * document of neither family gives one error saying what was expected.
 */
export function parseDocument(doc: unknown, source: string): ParsedDocument {
  let inner = doc;
  let where = source;
  if (isSnsNotification(doc)) {
    const unwrapped = unwrapSns(doc, source);
    if (!unwrapped.ok) return empty('unknown', [unwrapped.error]);
    inner = unwrapped.message;
    where = unwrapped.source;
  }
  const kind = classifyDocument(inner);
  if (kind === 'cloudtrail') {
    const { events, errors, skipped } = parseCloudTrailDocument(doc, source);
    return { kind, events, changes: [], skipped, errors };
  }
  if (kind === 'config') {
    const { changes, errors, skipped } = parseConfigDocument(doc, source);
    return { kind, events: [], changes, skipped, errors };
  }
  return empty('unknown', [
    new InputError(
      'neither a CloudTrail nor an AWS Config document (expected CloudTrail records, a CloudTrail log file, ' +
        'an EventBridge event, a LookupEvents response, a Config notification, a history or snapshot ' +
        `file, or a configuration item; got ${describeDocument(inner)})`,
      { source: where },
    ),
  ]);
}
