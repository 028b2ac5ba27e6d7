import { z } from 'zod';
import { parseCaptureTime } from './time.js';

const required = z.string().min(1);
// Optional fields of the wrong type (Config writes `"resourceName": null`) are dropped, not fatal.
const optionalString = z.string().optional().catch(undefined);

/**
 * The fields of a configuration item (or an oversized notification's summary) that cloudblame reads.
 * Files and notifications say `awsAccountId`/`ARN`/`configurationItemVersion`, the Config API says
 * `accountId`/`arn`/`version`; both spellings are accepted. Unknown fields pass through untouched.
 */
export const configItemSchema = z.looseObject({
  resourceType: required,
  resourceId: required,
  configurationItemCaptureTime: z
    .unknown()
    .refine((value) => parseCaptureTime(value) !== undefined, 'not an ISO-8601 time or epoch number'),
  resourceName: optionalString,
  awsRegion: optionalString,
  awsAccountId: optionalString,
  accountId: optionalString,
  ARN: optionalString,
  arn: optionalString,
  configurationStateId: z
    .union([z.string(), z.number().transform(String)])
    .optional()
    .catch(undefined),
  configurationItemStatus: optionalString,
  relatedEvents: z.array(z.unknown()).optional().catch(undefined),
  /** Only in an oversized notification's summary. */
  changeType: z.enum(['CREATE', 'UPDATE', 'DELETE']).optional().catch(undefined),
});
