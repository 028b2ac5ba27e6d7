/**
 * The resources part 5 asks `who` about: resources of the labelled corpus (what Config reports changed,
 * in every form the corpus uses: ids, names, `AROA…` and `db-…` ids, association ids), and the busiest
 * resources of the generated world, whose keys hold the most rows of the index.
 */
import { accountsOf } from '../gen/generate.js';

export type TargetGroup = 'corpus' | 'busy';

export interface WhoTarget {
  readonly resource: string;
  readonly group: TargetGroup;
  /** What it is, for the busy ones: `KMS key`, `log group`, ... */
  readonly kind: string;
}

/** `n` of `items`, evenly spaced, in their order. */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

/**
 * The busy resources of the main account (60% of the traffic). Background traffic picks a pool's
 * resources uniformly, so the busiest are those of the smallest pools, and the names of the name pools
 * (`fn-1`, `/aws/lambda/fn-1`, `queue-1`, ...) are the same in every account, which makes them busier still:
 *
 * - KMS keys: Decrypt and GenerateDataKey by AWS services (5% of all events over 7 keys) and CreateGrant:
 *   hundreds of rows per 100,000 events, nearly all reads (what `who --all` wades through; the tables'
 *   data events, in three accounts, are the only keys with more);
 * - log groups: CreateLogStream, the commonest write (3% of all events), in three accounts;
 * - buckets: S3 data events and bucket reads (12% of all events), tagging; then security groups, instances,
 *   parameters, roles (AssumeRole by services), functions, tables, queues, secrets, databases.
 */
export function busyTargets(seed: number): WhoTarget[] {
  const main = accountsOf(seed)[0];
  if (main === undefined) throw new Error('the generator made no account');
  const p = main.pool;
  const targets: WhoTarget[] = [];
  const add = (kind: string, resources: readonly string[]): void => {
    for (const resource of resources) targets.push({ resource, group: 'busy', kind });
  };
  add('KMS key', p.keys);
  add(
    'KMS key ARN',
    p.keys.slice(0, 1).map((key) => `arn:aws:kms:eu-west-1:${main.id}:key/${key}`),
  );
  add('log group', p.logGroups.slice(0, 10));
  add('bucket', p.buckets.slice(0, 6));
  add(
    'bucket ARN',
    p.buckets.slice(0, 1).map((bucket) => `arn:aws:s3:::${bucket}`),
  );
  add('security group', p.securityGroups.slice(0, 5));
  add('instance', p.instances.slice(0, 5));
  add('SSM parameter', p.parameters.slice(0, 5));
  add('IAM role', p.roles.slice(0, 5));
  add('Lambda function', p.functions.slice(0, 5));
  add('DynamoDB table', p.tables.slice(0, 3));
  add('SQS queue', p.queues.slice(0, 3));
  add('secret', p.secrets.slice(0, 3));
  add('RDS instance', p.dbInstances.slice(0, 2));
  return targets;
}

/** At least 300 resources of the corpus (all of them when it has fewer) and the busy ones. */
export function whoTargets(corpus: readonly string[], seed: number): WhoTarget[] {
  const busy = busyTargets(seed);
  const names = new Set(busy.map((t) => t.resource));
  const fromCorpus = spread(
    corpus.filter((r) => !names.has(r)),
    300,
  ).map((resource): WhoTarget => ({ resource, group: 'corpus', kind: 'corpus' }));
  return [...fromCorpus, ...busy];
}

/** The resources asked cold, one fresh process each: `n` of each group, the busiest kinds first. */
export function coldTargets(targets: readonly WhoTarget[], n: number): WhoTarget[] {
  const corpus = targets.filter((t) => t.group === 'corpus');
  const busy = targets.filter((t) => t.group === 'busy');
  const firstOfEachKind = [...new Map(busy.map((t) => [t.kind, t])).values()];
  const rest = busy.filter((t) => !firstOfEachKind.includes(t));
  return [...spread(corpus, n), ...[...firstOfEachKind, ...rest].slice(0, n)];
}
