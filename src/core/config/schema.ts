import { z } from 'zod';
import { ConfigFileError } from '../errors.js';
import { notificationsSchema } from '../notify/routing.js';
import { rulesConfigSchema } from '../rules/config.js';
import { problemsOf } from './issues.js';

/**
 * The configuration file, as a zod schema. Each leaf's `error` text says what is allowed (see issues.ts);
 * a new top-level section (`notifications`, `rules`, ...) is one more entry in `configShape`, with a
 * default so that existing files stay valid.
 */

export interface TrustedPrincipal {
  /** Glob over the caller's ARN and, for assumed roles, the role's own ARN. */
  readonly arn: string;
  readonly reason?: string;
}

export interface TrustedUserAgent {
  /** Glob over the event's userAgent. */
  readonly pattern: string;
  readonly reason?: string;
}

function nonEmptyString(allowed: string) {
  return z.string({ error: allowed }).min(1, { error: allowed });
}

const reason = z
  .string({ error: 'a string saying why it is trusted' })
  .optional()
  .meta({ description: 'Why it is trusted; shown in the reasons of a suppressed change.' });

function globList(allowedItem: string, allowedList: string) {
  return z.array(nonEmptyString(allowedItem), { error: allowedList });
}

function integerBetween(min: number, max: number) {
  const allowed = `an integer between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}`;
  return z
    .number({ error: allowed })
    .int({ error: allowed })
    .min(min, { error: allowed })
    .max(max, { error: allowed });
}

const trustedPrincipal = z
  .union(
    [
      nonEmptyString('a non-empty ARN glob'),
      z.strictObject(
        { arn: nonEmptyString('a non-empty ARN glob'), reason },
        { error: 'an ARN glob or an object with "arn" and an optional "reason"' },
      ),
    ],
    { error: 'an ARN glob or an object with "arn" and an optional "reason"' },
  )
  .transform((value): TrustedPrincipal => (typeof value === 'string' ? { arn: value } : value))
  .meta({
    description:
      'An ARN glob (`*` matches any run of characters, `/` and `:` included), or {arn, reason}. It is matched against the caller ARN (for roles, the assumed-role session ARN) and the role ARN (sessionIssuer.arn).',
  });

const trustedUserAgent = z
  .union(
    [
      nonEmptyString('a non-empty user agent glob'),
      z.strictObject(
        { pattern: nonEmptyString('a non-empty user agent glob'), reason },
        { error: 'a user agent glob or an object with "pattern" and an optional "reason"' },
      ),
    ],
    { error: 'a user agent glob or an object with "pattern" and an optional "reason"' },
  )
  .transform((value): TrustedUserAgent => (typeof value === 'string' ? { pattern: value } : value))
  .meta({ description: 'A glob over userAgent (`*` matches any run of characters), or {pattern, reason}.' });

const defaultTrustedUserAgents: readonly TrustedUserAgent[] = [
  { pattern: '*Terraform/*', reason: 'Terraform' },
  { pattern: '*terraform-provider-aws/*', reason: 'Terraform AWS provider' },
  { pattern: 'cloudformation.amazonaws.com', reason: 'CloudFormation' },
];

const iac = z
  .strictObject(
    {
      tagKeys: z
        .array(nonEmptyString('a non-empty tag key'), { error: 'a list of tag keys' })
        .default(['managed-by'])
        .meta({
          description:
            'A resource carrying any of these tags is IaC-managed (CloudFormation tags its resources with aws:cloudformation:stack-name).',
        }),
      tagValues: z
        .record(
          z.string(),
          z
            .array(z.string({ error: 'a tag value (a string)' }), { error: 'a non-empty list of tag values' })
            .min(1, { error: 'a non-empty list of tag values' }),
          { error: 'a mapping from tag key to a list of allowed values' },
        )
        .default({})
        .meta({
          description: 'Tag key -> allowed values; when set for a key, the tag must have one of them.',
        }),
    },
    { error: 'a mapping with tagKeys and tagValues' },
  )
  .superRefine((value, context) => {
    for (const key of Object.keys(value.tagValues)) {
      if (value.tagKeys.includes(key)) continue;
      context.addIssue({
        code: 'custom',
        path: ['tagValues', key],
        message: `is set, but "${key}" is not one of iac.tagKeys (${value.tagKeys.join(', ') || 'none'}); add it to iac.tagKeys or remove it from iac.tagValues`,
      });
    }
  })
  .prefault({})
  .meta({ description: 'How to tell that a resource is managed by Infrastructure-as-Code.' });

const resourceTypes = z
  .strictObject(
    {
      include: globList(
        'a non-empty resource type glob',
        'a list of resource type globs such as "AWS::EC2::*"',
      )
        .default(['*'])
        .meta({ description: 'Resource types to report on (globs such as "AWS::EC2::*").' }),
      exclude: globList(
        'a non-empty resource type glob',
        'a list of resource type globs such as "AWS::EC2::*"',
      )
        .default([])
        .meta({ description: 'Resource types never to report on; wins over include.' }),
    },
    { error: 'a mapping with include and exclude' },
  )
  .prefault({});

const correlation = z
  .strictObject(
    {
      windowMinutes: integerBetween(1, 1440)
        .default(15)
        .meta({ description: 'How far before a configuration change to look for the CloudTrail event.' }),
    },
    { error: 'a mapping with windowMinutes' },
  )
  .prefault({});

const configShape = {
  $schema: z
    .string({ error: 'a string (the path or URL of the JSON Schema)' })
    .optional()
    .meta({ description: 'For editors: the JSON Schema this file follows.' }),
  version: z.literal(1, { error: 'the number 1 (the only configuration format so far)' }),
  trustedPrincipals: z
    .array(trustedPrincipal, { error: 'a list of ARN globs or {arn, reason} objects' })
    .default([])
    .meta({ description: 'Changes made by these principals are expected and not reported.' }),
  trustedUserAgents: z
    .array(trustedUserAgent, { error: 'a list of user agent globs or {pattern, reason} objects' })
    .default(() => [...defaultTrustedUserAgents])
    .meta({
      description:
        'Changes made with these user agents are expected and not reported. A user agent is set by the caller: trust it only as far as you trust who can call.',
    }),
  iac,
  resourceTypes,
  ignoreAwsServiceChanges: z.boolean({ error: 'true or false' }).default(true).meta({
    description: 'Do not report changes made by AWS services (auto scaling, service-linked roles).',
  }),
  correlation,
  notifications: notificationsSchema,
  rules: rulesConfigSchema,
};

const configSchema = z
  .strictObject(configShape, {
    error: 'a mapping of keys such as version, trustedPrincipals and iac',
  })
  .meta({
    title: 'cloudblame configuration',
    description: 'Who is trusted to change what, and how to recognise Infrastructure-as-Code resources.',
  });

type Immutable<T> = T extends (infer Item)[]
  ? readonly Immutable<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: Immutable<T[Key]> }
    : T;

/** The resolved configuration: every default applied, nothing left optional but `$schema`. */
export type CloudBlameConfig = Immutable<z.output<typeof configSchema>>;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates a configuration document (already parsed from JSON or YAML). `source` names it in errors.
 * @throws ConfigFileError naming every bad key, its value and what is allowed.
 */
export function parseConfig(value: unknown, source: string): CloudBlameConfig {
  const result = configSchema.safeParse(value);
  if (result.success) return deepFreeze(result.data);
  const problems = problemsOf(result.error, value, configSchema);
  const [first] = problems;
  const message =
    problems.length === 1 && first !== undefined
      ? `${source}: ${first.message}`
      : `${source}: ${problems.length} problems:\n${problems.map((problem) => `  - ${problem.message}`).join('\n')}`;
  throw new ConfigFileError(message, first?.key ?? '');
}

const defaults = parseConfig({ version: 1 }, 'the default configuration');

/** The configuration used when there is no configuration file. */
export function defaultConfig(): CloudBlameConfig {
  return defaults;
}

/** The JSON Schema of the file (input side: defaults are optional), published as schema/cloudblame.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, {
    io: 'input',
    // zod leaves out the default of a list whose items transform; the resolved form is valid input here.
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema instanceof z.ZodDefault && jsonSchema.default === undefined) {
        jsonSchema.default = zodSchema.def.defaultValue;
      }
    },
  }) as Record<string, unknown>;
}
