import { InputError } from '../errors.js';
import type { ConfigChange, ConfigEnvelope, JsonObject, SourceRef } from '../model.js';
import { parseConfigurationItem, s3DeliveryUri } from './config-item.js';
import { asInputError } from './issues.js';
import { describeDocument, isJsonObject, kindName, SkipCounter } from './shape.js';
import { isSnsNotification, unwrapSns } from './sns.js';

const CHANGE = 'ConfigurationItemChangeNotification';
const OVERSIZED = 'OversizedConfigurationItemChangeNotification';

/** Message types AWS Config sends besides item changes; they are counted, not parsed. */
const OTHER_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'ComplianceChangeNotification',
  'ConfigRulesEvaluationStarted',
  'ConfigurationHistoryDeliveryCompleted',
  'ConfigurationHistoryDeliveryFailed',
  'ConfigurationSnapshotDeliveryCompleted',
  'ConfigurationSnapshotDeliveryFailed',
  'ConfigurationSnapshotDeliveryStarted',
  'ScheduledNotification',
]);

const ITEM_KEYS = [
  'resourceType',
  'resourceId',
  'configurationItemCaptureTime',
  'configurationItemStatus',
  'configurationStateId',
];

/** A configuration item, possibly a broken one: enough of its tell-tale fields to be reported as such. */
function looksLikeItem(value: JsonObject): boolean {
  return ITEM_KEYS.filter((key) => key in value).length >= 2;
}

function isConfigEventBridgeEvent(value: JsonObject): boolean {
  if (!isJsonObject(value['detail'])) return false;
  const detailType = value['detail-type'];
  return (
    value['source'] === 'aws.config' || (typeof detailType === 'string' && detailType.startsWith('Config '))
  );
}

function isConfigMessage(value: JsonObject): boolean {
  const type = value['messageType'];
  if (typeof type !== 'string') return false;
  return (
    type === CHANGE ||
    type === OVERSIZED ||
    OTHER_MESSAGE_TYPES.has(type) ||
    'notificationCreationTime' in value
  );
}

/** The event a custom Config rule's Lambda function receives: its `invokingEvent` is a JSON string. */
function isRuleInvocation(value: JsonObject): boolean {
  return typeof value['invokingEvent'] === 'string';
}

/** One Config message or item in any of its wrappings (EventBridge event, rule invocation). */
export function isConfigEntry(value: unknown): boolean {
  if (!isJsonObject(value)) return false;
  return (
    isConfigEventBridgeEvent(value) ||
    isConfigMessage(value) ||
    isRuleInvocation(value) ||
    looksLikeItem(value)
  );
}

function itemsOf(doc: JsonObject): { items: unknown[]; envelope: ConfigEnvelope } | undefined {
  const items = doc['configurationItems'];
  if (Array.isArray(items)) {
    if ('configSnapshotId' in doc) return { items, envelope: 'snapshot-file' };
    if ('fileVersion' in doc) return { items, envelope: 'history-file' };
    return { items, envelope: 'api-history' };
  }
  const base = doc['baseConfigurationItems'];
  return Array.isArray(base) ? { items: base, envelope: 'api-history' } : undefined;
}

/** A SelectResourceConfig response: projections of items chosen by a query, not changes. */
function selectResults(doc: JsonObject): unknown[] | undefined {
  const results = doc['Results'];
  return Array.isArray(results) && 'QueryInfo' in doc ? results : undefined;
}

/** Whether a document (already out of any SNS envelope) is AWS Config's. */
export function isConfigDocument(doc: unknown): boolean {
  if (Array.isArray(doc)) return doc.some(isConfigEntry);
  if (!isJsonObject(doc)) return false;
  return itemsOf(doc) !== undefined || selectResults(doc) !== undefined || isConfigEntry(doc);
}

export interface ConfigParse {
  readonly changes: ConfigChange[];
  /** Recognised Config messages that are not item changes, by message type. */
  readonly skipped: Record<string, number>;
  readonly errors: InputError[];
}

class ConfigCollector {
  public readonly changes: ConfigChange[] = [];
  public readonly errors: InputError[] = [];
  public readonly skipped = new SkipCounter();

  /** One message or item; `via` is set when it came out of an SNS notification. */
  public entry(value: unknown, at: SourceRef, via?: ConfigEnvelope): void {
    try {
      if (!isJsonObject(value)) {
        this.changes.push(parseConfigurationItem(value, at, { envelope: via ?? 'bare-ci' }));
      } else if (isConfigEventBridgeEvent(value)) {
        this.eventBridge(value, at, via);
      } else if (isConfigMessage(value)) {
        this.message(value, at, via, '');
      } else if (isRuleInvocation(value)) {
        this.skipped.add('ConfigRuleInvocation');
      } else {
        this.changes.push(parseConfigurationItem(value, at, { envelope: via ?? 'bare-ci' }));
      }
    } catch (error) {
      this.errors.push(asInputError(error, at));
    }
  }

  private eventBridge(event: JsonObject, at: SourceRef, via: ConfigEnvelope | undefined): void {
    const detail = event['detail'] as JsonObject;
    if (isConfigMessage(detail) || 'configurationItem' in detail || 'configurationItemSummary' in detail) {
      this.message(detail, at, via ?? 'eventbridge', 'detail.');
    } else {
      this.skipped.add(kindName(event['detail-type'], 'unknown Config event'));
    }
  }

  private message(msg: JsonObject, at: SourceRef, envelope: ConfigEnvelope | undefined, base: string): void {
    const type = msg['messageType'];
    if (type === OVERSIZED || (type === undefined && 'configurationItemSummary' in msg)) {
      const s3DeliveryUriValue = s3DeliveryUri(msg['s3DeliverySummary']);
      this.changes.push(
        parseConfigurationItem(msg['configurationItemSummary'], at, {
          envelope: envelope ?? 'oversized-notification',
          field: `${base}configurationItemSummary`,
          oversized: { s3DeliveryUri: s3DeliveryUriValue },
        }),
      );
    } else if (type === CHANGE || type === undefined) {
      this.changes.push(
        parseConfigurationItem(msg['configurationItem'], at, {
          envelope: envelope ?? 'notification',
          field: `${base}configurationItem`,
          diff: msg['configurationItemDiff'],
        }),
      );
    } else {
      this.skipped.add(kindName(type, 'unknown messageType'));
    }
  }

  public result(): ConfigParse {
    return { changes: this.changes, skipped: this.skipped.toRecord(), errors: this.errors };
  }
}

function collect(out: ConfigCollector, doc: unknown, source: string, via?: ConfigEnvelope): void {
  const container = isJsonObject(doc) ? itemsOf(doc) : undefined;
  const results = isJsonObject(doc) ? selectResults(doc) : undefined;
  if (Array.isArray(doc)) {
    doc.forEach((entry, record) => {
      if (isSnsNotification(entry)) {
        const unwrapped = unwrapSns(entry, source, record);
        if (unwrapped.ok) out.entry(unwrapped.message, { source: unwrapped.source, record }, 'sns');
        else out.errors.push(unwrapped.error);
      } else {
        out.entry(entry, { source, record }, via);
      }
    });
  } else if (container !== undefined) {
    container.items.forEach((item, record) => {
      try {
        out.changes.push(
          parseConfigurationItem(item, { source, record }, { envelope: via ?? container.envelope }),
        );
      } catch (error) {
        out.errors.push(asInputError(error, { source, record }));
      }
    });
  } else if (results !== undefined) {
    out.skipped.add('SelectResourceConfig', results.length);
  } else if (isConfigEntry(doc)) {
    out.entry(doc, { source }, via);
  } else {
    out.errors.push(
      new InputError(
        `not an AWS Config document (expected a configuration item change notification, an EventBridge ` +
          `"Config Configuration Item Change" event, {"configurationItems":[...]} or a configuration item; ` +
          `got ${describeDocument(doc)})`,
        { source },
      ),
    );
  }
}

/**
 * Every configuration-item change in a document: an EventBridge "Config Configuration Item Change"
 * event, an SNS notification carrying a Config message, a bare change notification (also oversized),
 * a history or snapshot file, GetResourceConfigHistory or BatchGetResourceConfig output, a bare item,
 * or a JSON array of these. Other Config messages are counted in `skipped`. An item that cannot be
 * used becomes an error and does not stop the others; record indexes are positions in the document.
 */
export function parseConfigDocument(doc: unknown, source: string): ConfigParse {
  const out = new ConfigCollector();
  if (isSnsNotification(doc)) {
    const unwrapped = unwrapSns(doc, source);
    if (unwrapped.ok) collect(out, unwrapped.message, unwrapped.source, 'sns');
    else out.errors.push(unwrapped.error);
  } else {
    collect(out, doc, source);
  }
  return out.result();
}
