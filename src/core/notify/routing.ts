/**
 * The `notifications` section of the configuration file and the routing of findings to channels.
 *
 * Webhook URLs are credentials (anyone holding a Slack or Teams webhook URL can post to the channel),
 * and configuration files get committed. So the file never holds one: `url` names an environment
 * variable (`{ env: SLACK_WEBHOOK_URL }`) or a Secrets Manager secret (`{ secretArn: ... }`), and a
 * literal URL is rejected with a message saying so.
 */
import { z } from 'zod';
import { findingAccountId, findingSeverity, SEVERITIES, severityRank } from '../finding-info.js';
import { matchesGlob } from '../glob.js';
import type { Finding, Severity } from '../model.js';

function nonEmptyString(allowed: string) {
  return z.string({ error: allowed }).min(1, { error: allowed });
}

const URL_IS_A_SECRET =
  '{ env: VARIABLE_NAME } or { secretArn: "arn:aws:secretsmanager:..." } (a webhook URL is a credential: the file says where to find it, never the URL itself)';

const secretRef = z
  .union(
    [
      z.strictObject({
        env: z.string({ error: 'an environment variable name' }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
          error: 'an environment variable name such as SLACK_WEBHOOK_URL',
        }),
      }),
      z.strictObject({
        secretArn: z
          .string({ error: 'a Secrets Manager secret ARN' })
          .regex(/^arn:aws(?:-cn|-us-gov)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, {
            error:
              'a Secrets Manager secret ARN such as arn:aws:secretsmanager:us-east-1:111122223333:secret:slack-AbCdEf',
          }),
      }),
    ],
    { error: URL_IS_A_SECRET },
  )
  .meta({
    description: 'Where the webhook URL is kept: an environment variable or a Secrets Manager secret.',
  });

const severity = z.enum(SEVERITIES, {
  error: `one of ${SEVERITIES.join(', ')}`,
});

const globs = (item: string, list: string) =>
  z.array(nonEmptyString(item), { error: list }).min(1, { error: `${list} (leave the key out for all)` });

const filters = {
  minSeverity: severity.default('info').meta({ description: 'The least severe finding this channel gets.' }),
  accounts: z
    .array(
      z.string({ error: 'a 12-digit account id' }).regex(/^\d{12}$/, { error: 'a 12-digit account id' }),
      {
        error: 'a list of 12-digit account ids',
      },
    )
    .min(1, { error: 'a list of 12-digit account ids (leave the key out for all)' })
    .optional()
    .meta({ description: 'Only findings in these accounts; all accounts when left out.' }),
  resourceTypes: globs(
    'a non-empty resource type glob',
    'a list of resource type globs such as "AWS::EC2::*"',
  )
    .optional()
    .meta({ description: 'Only changes to these resource types (globs); alerts are not filtered by it.' }),
  rules: globs('a non-empty rule id glob', 'a list of rule id globs').optional().meta({
    description: 'Only alerts from these rules (globs over the rule id); changes are not filtered by it.',
  }),
  outOfBandOnly: z
    .boolean({ error: 'true or false' })
    .default(false)
    .meta({ description: 'Only changes made outside IaC; alerts are not filtered by it.' }),
  kinds: z
    .array(z.enum(['change', 'alert'], { error: 'change or alert' }), { error: 'a list of change and alert' })
    .min(1, { error: 'a non-empty list of change and alert' })
    .default(['change', 'alert'])
    .meta({ description: 'Which findings: configuration changes, critical-action alerts, or both.' }),
  includeSuppressed: z
    .boolean({ error: 'true or false' })
    .default(false)
    .meta({ description: 'Also changes the policy suppressed (trusted principal, IaC): for an audit file.' }),
};

const name = z
  .string({ error: 'a channel name of letters, digits, ".", "_" and "-"' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: 'a channel name of letters, digits, ".", "_" and "-"',
  })
  .meta({ description: 'Names the channel in logs, idempotency keys and routing results.' });

const channel = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ name, type: z.literal('slack'), url: secretRef, ...filters }),
    z.strictObject({ name, type: z.literal('teams'), url: secretRef, ...filters }),
    z.strictObject({ name, type: z.literal('webhook'), url: secretRef, ...filters }),
    z.strictObject({
      name,
      type: z.literal('sns'),
      topicArn: z
        .string({ error: 'an SNS topic ARN' })
        .regex(/^arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/, {
          error: 'an SNS topic ARN such as arn:aws:sns:us-east-1:111122223333:alerts',
        }),
      ...filters,
    }),
    z.strictObject({ name, type: z.literal('file'), path: nonEmptyString('a file path'), ...filters }),
  ],
  { error: 'a channel with a name and a type: slack, teams, webhook, sns or file' },
);

export const notificationsSchema = z
  .strictObject(
    {
      groupWindowMinutes: z
        .number({ error: 'an integer between 0 and 60' })
        .int({ error: 'an integer between 0 and 60' })
        .min(0, { error: 'an integer between 0 and 60' })
        .max(60, { error: 'an integer between 0 and 60' })
        .default(5)
        .meta({
          description:
            "Findings of one principal's session within this many minutes of the first become one message; 0 sends each alone.",
        }),
      channels: z.array(channel, { error: 'a list of channels' }).default([]),
    },
    { error: 'a mapping with groupWindowMinutes and channels' },
  )
  .superRefine((value, context) => {
    const seen = new Set<string>();
    value.channels.forEach((c, index) => {
      if (seen.has(c.name)) {
        context.addIssue({
          code: 'custom',
          path: ['channels', index, 'name'],
          message: `is "${c.name}", which an earlier channel already has; channel names must be unique`,
        });
      }
      seen.add(c.name);
    });
  })
  .prefault({})
  .meta({ description: 'Where findings are sent, and how bursts are grouped.' });

export type NotificationsConfig = z.output<typeof notificationsSchema>;
export type NotificationChannel = NotificationsConfig['channels'][number];

/** What routing reads of a channel; any object with these fields routes, validated or not. */
export interface RouteFilter {
  readonly name: string;
  readonly minSeverity: Severity;
  readonly accounts?: readonly string[] | undefined;
  readonly resourceTypes?: readonly string[] | undefined;
  readonly rules?: readonly string[] | undefined;
  readonly outOfBandOnly: boolean;
  readonly kinds: readonly ('change' | 'alert')[];
  readonly includeSuppressed: boolean;
}

export function accepts(channel: RouteFilter, finding: Finding): boolean {
  if (!channel.kinds.includes(finding.kind)) return false;
  if (severityRank(findingSeverity(finding)) < severityRank(channel.minSeverity)) return false;
  if (channel.accounts !== undefined && !channel.accounts.includes(findingAccountId(finding))) return false;
  if (finding.kind === 'alert') {
    return channel.rules === undefined || channel.rules.some((glob) => matchesGlob(finding.rule.id, glob));
  }
  if (finding.verdict.action === 'suppress' && !channel.includeSuppressed) return false;
  if (channel.outOfBandOnly && !finding.verdict.outOfBand) return false;
  const type = finding.change.resourceType;
  return channel.resourceTypes === undefined || channel.resourceTypes.some((glob) => matchesGlob(type, glob));
}

/** The names of the channels that get `finding`, in configuration order. */
export function route(finding: Finding, channels: readonly RouteFilter[]): string[] {
  return channels.filter((channel) => accepts(channel, finding)).map((channel) => channel.name);
}
