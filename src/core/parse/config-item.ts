import { InputError } from '../errors.js';
import type {
  ChangedProperty,
  ChangeType,
  ConfigChange,
  ConfigEnvelope,
  JsonObject,
  SourceRef,
} from '../model.js';
import { configItemSchema } from './config-schema.js';
import { tagsOf } from './config-tags.js';
import { schemaError } from './issues.js';
import { isJsonObject, parseJson, stringField, typeName } from './shape.js';
import { parseCaptureTime } from './time.js';

export interface ItemContext {
  readonly envelope: ConfigEnvelope;
  /** Where the item sits in its record, e.g. `configurationItem` or `detail.configurationItem`. */
  readonly field?: string;
  /** The notification's `configurationItemDiff`, when there is one. */
  readonly diff?: unknown;
  /** Set for an oversized notification: `raw` is its `configurationItemSummary`. */
  readonly oversized?: { readonly s3DeliveryUri?: string | undefined };
}

const CHANGE_TYPES: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE']);

function isChangeType(value: unknown): value is ChangeType {
  return typeof value === 'string' && CHANGE_TYPES.has(value);
}

function changeTypeOfStatus(status: string | undefined): ChangeType {
  if (status === 'ResourceDiscovered') return 'CREATE';
  if (status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded') return 'DELETE';
  return 'UPDATE';
}

function changedProperties(diff: unknown): ChangedProperty[] {
  const properties = isJsonObject(diff) ? diff['changedProperties'] : undefined;
  if (!isJsonObject(properties)) return [];
  const out: ChangedProperty[] = [];
  for (const [path, change] of Object.entries(properties)) {
    if (!isJsonObject(change)) continue;
    const { previousValue, updatedValue } = change;
    const changeType = isChangeType(change['changeType'])
      ? change['changeType']
      : previousValue === null || previousValue === undefined
        ? 'CREATE'
        : updatedValue === null || updatedValue === undefined
          ? 'DELETE'
          : 'UPDATE';
    out.push({
      path,
      changeType,
      ...(previousValue !== undefined && { previousValue }),
      ...(updatedValue !== undefined && { updatedValue }),
    });
  }
  return out;
}

/** `arn:partition:service:region:account:resource` → region and account, when the ARN has them. */
function arnParts(arn: string | undefined): { region?: string; account?: string } {
  const parts = arn?.split(':') ?? [];
  if (parts.length < 6 || parts[0] !== 'arn') return {};
  const [, , , region, account] = parts;
  return { ...(region && { region }), ...(account && { account }) };
}

/** The Config API returns `configuration` (and each supplementary value) as a JSON string. */
function decoded(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  const parsed = parseJson(value);
  return parsed.ok ? parsed.value : value;
}

function decodedSupplementary(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, decoded(entry)]));
}

/**
 * One configuration item (or, for an oversized notification, its summary) as a ConfigChange. Throws an
 * InputError naming the field when the resource type, id, capture time, account or region is missing.
 * `item` keeps every field of the input, with JSON-string configurations decoded to objects so that
 * all envelopes give the same shape.
 */
export function parseConfigurationItem(raw: unknown, at: SourceRef, ctx: ItemContext): ConfigChange {
  const prefix = ctx.field === undefined ? '' : `${ctx.field}.`;
  if (!isJsonObject(raw)) {
    const problem = raw === undefined ? 'missing' : `expected a JSON object, got ${typeName(raw)}`;
    throw new InputError(problem, ctx.field === undefined ? at : { ...at, field: ctx.field });
  }
  const parsed = configItemSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error, raw, at, ctx.field);
  const ci = parsed.data;

  const arn = ci.ARN ?? ci.arn;
  const fromArn = arnParts(arn);
  const accountId = ci.awsAccountId ?? ci.accountId ?? fromArn.account;
  if (accountId === undefined) {
    throw new InputError('missing, and neither accountId nor the ARN names the account', {
      ...at,
      field: `${prefix}awsAccountId`,
    });
  }
  const awsRegion = ci.awsRegion ?? fromArn.region;
  if (awsRegion === undefined) {
    throw new InputError('missing, and the ARN names no region', { ...at, field: `${prefix}awsRegion` });
  }
  const captureTimeMs = parseCaptureTime(ci.configurationItemCaptureTime) ?? Number.NaN;
  const oversized = ctx.oversized !== undefined;
  const s3Uri = ctx.oversized?.s3DeliveryUri;
  const diffType = isJsonObject(ctx.diff) ? ctx.diff['changeType'] : undefined;
  const changeType = isChangeType(diffType)
    ? diffType
    : (ci.changeType ?? changeTypeOfStatus(ci.configurationItemStatus));
  const configuration = decoded(raw['configuration']);
  const supplementary = decodedSupplementary(raw['supplementaryConfiguration']);
  const item: JsonObject =
    configuration === raw['configuration'] && supplementary === raw['supplementaryConfiguration']
      ? raw
      : { ...raw, configuration, supplementaryConfiguration: supplementary };

  return {
    resourceType: ci.resourceType,
    resourceId: ci.resourceId,
    ...(ci.resourceName !== undefined && { resourceName: ci.resourceName }),
    ...(arn !== undefined && { arn }),
    accountId,
    awsRegion,
    captureTime: new Date(captureTimeMs).toISOString(),
    captureTimeMs,
    ...(ci.configurationStateId !== undefined && { configurationStateId: ci.configurationStateId }),
    ...(ci.configurationItemStatus !== undefined && { status: ci.configurationItemStatus }),
    changeType,
    changedProperties: oversized ? [] : changedProperties(ctx.diff),
    tags: tagsOf(raw, configuration, supplementary),
    relatedEvents: (ci.relatedEvents ?? []).filter((id): id is string => typeof id === 'string' && id !== ''),
    oversized,
    ...(s3Uri !== undefined && { s3DeliveryUri: s3Uri }),
    envelope: ctx.envelope,
    ref: at,
    ...(!oversized && { item }),
  };
}

/** `s3://bucket/key` for an oversized notification's `s3DeliverySummary`, when AWS gave the location. */
export function s3DeliveryUri(summary: unknown): string | undefined {
  if (!isJsonObject(summary)) return undefined;
  const location = stringField(summary, 's3BucketLocation');
  if (location === undefined) return undefined;
  return location.startsWith('s3://') ? location : `s3://${location}`;
}
