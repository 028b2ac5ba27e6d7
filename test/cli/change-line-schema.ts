import { z } from 'zod';

const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, 'an ISO-8601 UTC time');

/** The JSONL contract of `cloudblame replay --format jsonl`, as the README documents it. */
export const changeLineSchema = z.object({
  kind: z.literal('change'),
  resource: z.object({
    type: z.string().min(1),
    id: z.string().min(1),
    name: z.string().nullable(),
    arn: z.string().nullable(),
    account: z.string().regex(/^\d{12}$/),
    region: z.string().min(1),
  }),
  captureTime: iso,
  changeType: z.enum(['CREATE', 'UPDATE', 'DELETE']),
  changedProperties: z.array(z.object({ path: z.string(), changeType: z.string() }).loose()),
  attribution: z.object({
    status: z.enum(['attributed', 'unattributed']),
    eventId: z.string().nullable(),
    eventName: z.string().nullable(),
    eventSource: z.string().nullable(),
    eventTime: iso.nullable(),
    principal: z
      .object({ arn: z.string().nullable(), type: z.string(), display: z.string().min(1) })
      .nullable(),
    otherEventIds: z.array(z.string()),
    caveats: z.array(z.string()),
    reason: z.string().nullable(),
  }),
  verdict: z.object({
    action: z.enum(['notify', 'suppress']),
    outOfBand: z.boolean(),
    reasons: z.array(z.string()).min(1),
  }),
});

export type ChangeLineContract = z.infer<typeof changeLineSchema>;

/** The JSONL contract of an alert line. */
export const alertLineSchema = z.object({
  kind: z.literal('alert'),
  rule: z.object({
    id: z.string().min(1),
    severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
    title: z.string().min(1),
  }),
  event: z.object({
    eventId: z.string().min(1),
    eventName: z.string().min(1),
    eventSource: z.string().min(1),
    eventTime: iso,
    awsRegion: z.string().min(1),
    recipientAccountId: z.string().regex(/^\d{12}$/),
  }),
  principal: z.object({ arn: z.string().nullable(), type: z.string(), display: z.string().min(1) }),
  details: z.record(z.string(), z.unknown()),
});

export type AlertLineContract = z.infer<typeof alertLineSchema>;
