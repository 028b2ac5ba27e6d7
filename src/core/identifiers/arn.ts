import { idTypeOf, UNTYPED } from './prefixes.js';

/** What an ARN says about the resource it names. */
export interface ArnInfo {
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** The Config resource type, when the ARN tells it. */
  readonly type?: string;
  /** The resource's own name or id, when the ARN carries one that events also use on their own. */
  readonly name?: string;
}

type Describe = (
  kind: string,
  rest: string,
  resource: string,
) => { type?: string; name?: string } | undefined;

/** `kind` → type, for services whose ARN resource is `kind/name` or `kind:name` with a plain name. */
function byKind(types: Readonly<Record<string, string>>): Describe {
  const table = new Map(Object.entries(types));
  return (kind, rest) => {
    const type = table.get(kind);
    if (type === undefined || rest === '' || rest.includes('/') || rest.includes(':')) return undefined;
    return { type, name: rest };
  };
}

const IAM_KINDS: ReadonlyMap<string, string> = new Map([
  ['role', 'AWS::IAM::Role'],
  ['user', 'AWS::IAM::User'],
  ['group', 'AWS::IAM::Group'],
  ['policy', 'AWS::IAM::Policy'],
  ['instance-profile', 'AWS::IAM::InstanceProfile'],
]);

const RDS_KINDS: Readonly<Record<string, string>> = {
  db: 'AWS::RDS::DBInstance',
  cluster: 'AWS::RDS::DBCluster',
  snapshot: 'AWS::RDS::DBSnapshot',
  'cluster-snapshot': 'AWS::RDS::DBClusterSnapshot',
  subgrp: 'AWS::RDS::DBSubnetGroup',
  secgrp: 'AWS::RDS::DBSecurityGroup',
  es: 'AWS::RDS::EventSubscription',
};

/** Secrets Manager appends `-` and six random characters to the name in the ARN. */
function secretName(rest: string): string {
  const cut = rest.length - 7;
  return cut > 0 && rest.charCodeAt(cut) === 45 /* - */ ? rest.slice(0, cut) : rest;
}

const SERVICES: ReadonlyMap<string, Describe> = new Map(
  Object.entries({
    iam: (kind, rest) => {
      const type = IAM_KINDS.get(kind);
      if (type === undefined || rest === '') return undefined;
      // IAM paths (`role/service-role/name`): the name is the last segment.
      return { type, name: rest.slice(rest.lastIndexOf('/') + 1) };
    },
    s3: (kind, _rest, resource) =>
      kind === '' && resource !== '' ? { type: 'AWS::S3::Bucket', name: resource } : undefined,
    rds: byKind(RDS_KINDS),
    secretsmanager: (kind, rest) =>
      kind === 'secret' && rest !== ''
        ? { type: 'AWS::SecretsManager::Secret', name: secretName(rest) }
        : undefined,
    sqs: (kind, _rest, resource) =>
      kind === '' && resource !== '' ? { type: 'AWS::SQS::Queue', name: resource } : undefined,
    sns: (kind, _rest, resource) =>
      kind === '' && resource !== '' ? { type: 'AWS::SNS::Topic', name: resource } : undefined,
    lambda: (kind, rest) => {
      if (kind !== 'function' || rest === '') return undefined;
      const colon = rest.indexOf(':');
      return { type: 'AWS::Lambda::Function', name: colon < 0 ? rest : rest.slice(0, colon) };
    },
    kms: byKind({ key: 'AWS::KMS::Key' }),
    dynamodb: byKind({ table: 'AWS::DynamoDB::Table' }),
    cloudtrail: byKind({ trail: 'AWS::CloudTrail::Trail' }),
    logs: (kind, rest) => {
      if (kind !== 'log-group' || rest === '') return undefined;
      const colon = rest.indexOf(':');
      return { type: 'AWS::Logs::LogGroup', name: colon < 0 ? rest : rest.slice(0, colon) };
    },
    ecr: byKind({ repository: 'AWS::ECR::Repository' }),
    eks: byKind({ cluster: 'AWS::EKS::Cluster' }),
    ecs: byKind({ cluster: 'AWS::ECS::Cluster' }),
    cloudformation: (kind, rest) => {
      if (kind !== 'stack') return undefined;
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      return name === '' ? undefined : { type: 'AWS::CloudFormation::Stack', name };
    },
    elasticloadbalancing: (kind, rest) => {
      const parts = rest.split('/');
      if (kind === 'loadbalancer') {
        if (parts.length === 1) return { type: 'AWS::ElasticLoadBalancing::LoadBalancer', name: rest };
        const name = parts[1];
        return name ? { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', name } : undefined;
      }
      if (kind === 'listener') return { type: 'AWS::ElasticLoadBalancingV2::Listener' };
      if (kind === 'targetgroup') {
        const name = parts[0];
        return name ? { type: 'AWS::ElasticLoadBalancingV2::TargetGroup', name } : undefined;
      }
      return undefined;
    },
    ec2: (_kind, rest) => {
      if (rest === '' || rest.includes('/')) return undefined;
      const type = idTypeOf(rest);
      if (type === undefined) return undefined;
      return type === UNTYPED ? { name: rest } : { type, name: rest };
    },
  } satisfies Record<string, Describe>),
);

/** Session and federation ARNs name a caller, never a resource Config records. */
const NOT_RESOURCES = new Set(['sts']);

/**
 * Parses an ARN without a regular expression. Undefined for something that is not an ARN, or an
 * ARN of a caller rather than a resource.
 */
export function describeArn(value: string): ArnInfo | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const p1 = value.indexOf(':', 4);
  const p2 = p1 < 0 ? -1 : value.indexOf(':', p1 + 1);
  const p3 = p2 < 0 ? -1 : value.indexOf(':', p2 + 1);
  const p4 = p3 < 0 ? -1 : value.indexOf(':', p3 + 1);
  if (p4 < 0) return undefined;
  const service = value.slice(p1 + 1, p2);
  if (service === '' || NOT_RESOURCES.has(service)) return undefined;
  const region = value.slice(p2 + 1, p3);
  const account = value.slice(p3 + 1, p4);
  const resource = value.slice(p4 + 1);
  const slash = resource.indexOf('/');
  const colon = resource.indexOf(':');
  const cut = slash < 0 ? colon : colon < 0 ? slash : Math.min(slash, colon);
  const kind = cut < 0 ? '' : resource.slice(0, cut);
  const rest = cut < 0 ? '' : resource.slice(cut + 1);
  const describe = SERVICES.get(service);
  const info = describe !== undefined ? describe(kind, rest, resource) : genericName(kind, rest);
  return { service, region, account, ...info };
}

/** Unknown services: `kind/name` or `kind:name` with a plain name still yields the name. */
function genericName(kind: string, rest: string): { name?: string } | undefined {
  if (kind === '' || rest === '' || rest.includes('/') || rest.includes(':')) return undefined;
  return { name: rest };
}
