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
