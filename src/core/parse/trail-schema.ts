import { z } from 'zod';
import { parseIsoTime } from './time.js';

const required = z.string().min(1);
// Optional fields of the wrong type are dropped rather than failing the record: nothing downstream
// depends on them, and CloudTrail has changed their types before (e.g. booleans written as strings).
const optionalString = z.string().optional().catch(undefined);
const stringBoolean = z
  .union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')])
  .optional()
  .catch(undefined);
// CloudTrail writes a string in place of an object for some calls (`"responseElements": "true"`, or
// a long text): the record stays usable, the field reads as null and `raw` keeps the original.
const objectOrNull = z.looseObject({}).nullable().optional().catch(null);

/** The fields of a CloudTrail record that cloudblame reads. Unknown fields pass through untouched. */
export const trailRecordSchema = z.looseObject({
  eventID: required.optional(),
  eventName: required,
  eventSource: required,
  eventTime: z.string().refine((text) => parseIsoTime(text) !== undefined, 'not an ISO-8601 time'),
  awsRegion: required,
  userIdentity: z.looseObject({}),
  recipientAccountId: optionalString,
  readOnly: stringBoolean,
  errorCode: optionalString,
  errorMessage: optionalString,
  userAgent: optionalString,
  sourceIPAddress: optionalString,
  eventType: optionalString,
  eventCategory: optionalString,
  sessionCredentialFromConsole: stringBoolean,
  requestParameters: objectOrNull,
  responseElements: objectOrNull,
  additionalEventData: z.looseObject({}).optional().catch(undefined),
  resources: z.array(z.unknown()).optional().catch(undefined),
});

/** The fields of a CloudTrail record that cloudblame reads, as `trailRecordSchema` gives them. */
export interface TrailFields {
  readonly eventID?: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  /** `parseIsoTime(eventTime)`, worked out once. */
  readonly eventTimeMs: number;
  readonly awsRegion: string;
  readonly userIdentity: Record<string, unknown>;
  readonly recipientAccountId?: string;
  readonly readOnly?: boolean;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly userAgent?: string;
  readonly sourceIPAddress?: string;
  readonly eventType?: string;
  readonly eventCategory?: string;
  readonly sessionCredentialFromConsole?: boolean;
  readonly requestParameters?: Record<string, unknown> | null;
  readonly responseElements?: Record<string, unknown> | null;
  readonly additionalEventData?: Record<string, unknown>;
  readonly resources?: unknown[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function objectOrNullField(value: unknown): Record<string, unknown> | null | undefined {
  if (value === undefined) return undefined;
  return isPlainObject(value) ? value : null;
}

/**
 * What `trailRecordSchema.safeParse(record)` gives for the fields cloudblame reads, without zod: this runs
 * on every record of an archive. Undefined when the schema would reject the record; the caller then runs
 * the schema, for the error that names the field. Objects are the record's own (zod copies them; nothing
 * downstream mutates either).
 */
export function readTrailFields(record: Record<string, unknown>): TrailFields | undefined {
  const { eventID, eventName, eventSource, eventTime, awsRegion, userIdentity } = record;
  if (eventID !== undefined && !nonEmpty(eventID)) return undefined;
  if (!nonEmpty(eventName) || !nonEmpty(eventSource) || !nonEmpty(awsRegion)) return undefined;
  if (typeof eventTime !== 'string' || !isPlainObject(userIdentity)) return undefined;
  const eventTimeMs = parseIsoTime(eventTime);
  if (eventTimeMs === undefined) return undefined;
  const additionalEventData = record['additionalEventData'];
  const resources = record['resources'];
  return {
    eventID,
    eventName,
    eventSource,
    eventTime,
    eventTimeMs,
    awsRegion,
    userIdentity,
    recipientAccountId: optionalText(record['recipientAccountId']),
    readOnly: optionalBoolean(record['readOnly']),
    errorCode: optionalText(record['errorCode']),
    errorMessage: optionalText(record['errorMessage']),
    userAgent: optionalText(record['userAgent']),
    sourceIPAddress: optionalText(record['sourceIPAddress']),
    eventType: optionalText(record['eventType']),
    eventCategory: optionalText(record['eventCategory']),
    sessionCredentialFromConsole: optionalBoolean(record['sessionCredentialFromConsole']),
    requestParameters: objectOrNullField(record['requestParameters']),
    responseElements: objectOrNullField(record['responseElements']),
    additionalEventData: isPlainObject(additionalEventData) ? additionalEventData : undefined,
    resources: Array.isArray(resources) ? resources : undefined,
  };
}
