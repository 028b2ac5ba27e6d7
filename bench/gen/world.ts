/**
 * The simulated organisation: accounts, regions, the principals that call AWS, and the resources they call
 * it on. Everything is drawn once from the seed, so ids are stable across a run.
 */
import type { Rng } from '../lib/rng.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Json = { [key: string]: JsonValue };

export interface Caller {
  readonly kind: 'iam-user' | 'role' | 'identity-center' | 'service-role' | 'aws-service' | 'root';
  readonly userIdentity: Json;
  readonly userAgent: string;
  readonly sourceIPAddress: string;
  readonly console: boolean;
  /** The principal ARN cloudblame reports (the session ARN for roles). */
  readonly arn: string;
}

export interface Account {
  readonly id: string;
  /** The main account holds most of the traffic. */
  readonly weight: number;
  readonly callers: {
    readonly users: Caller[];
    readonly roles: Caller[];
    readonly identityCenter: Caller[];
    readonly serviceRoles: Caller[];
    readonly services: Caller[];
    readonly terraform: Caller[];
  };
  /** Resources the background traffic reads and writes. */
  readonly pool: ResourcePool;
}

export interface ResourcePool {
  readonly vpcs: string[];
  readonly subnets: string[];
  readonly securityGroups: string[];
  readonly instances: string[];
  readonly buckets: string[];
  readonly roles: string[];
  readonly functions: string[];
  readonly queues: string[];
  readonly tables: string[];
  readonly keys: string[];
  readonly secrets: string[];
  readonly parameters: string[];
  readonly logGroups: string[];
  readonly dbInstances: string[];
}

export const REGIONS = ['eu-west-1', 'us-east-1', 'eu-central-1'] as const;
export type Region = (typeof REGIONS)[number];
/** IAM, STS global endpoint and sign-in events are delivered in us-east-1. */
export const GLOBAL_REGION: Region = 'us-east-1';

const TERRAFORM_UA =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.5 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64';
const CLI_UAS = [
  'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1019-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#',
  'aws-cli/2.17.51 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#',
];
const SDK_UAS = [
  'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.36',
  'aws-sdk-js/3.682.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/dynamodb#3.682.0 exec-env/AWS_Lambda_nodejs20.x m/E,N',
  'aws-sdk-java/2.28.16 Linux/6.1.112-124.190.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/standard',
];
const FIRST_NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yusuf',
  'zoe',
  'amir',
  'bea',
  'chen',
];
const PERMISSION_SETS = ['AdministratorAccess', 'DeveloperAccess', 'ReadOnlyAccess', 'PowerUserAccess'];
const APP_ROLES = [
  'orders-api',
  'billing-worker',
  'ingest-pipeline',
  'reports-cron',
  'search-indexer',
  'payments-api',
  'notifications',
  'image-resizer',
  'etl-glue',
  'data-export',
  'audit-collector',
  'web-frontend',
];
const SERVICES = [
  'lambda.amazonaws.com',
  'ec2.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'cloudformation.amazonaws.com',
  'config.amazonaws.com',
  'cloudtrail.amazonaws.com',
  's3.amazonaws.com',
  'elasticloadbalancing.amazonaws.com',
];
const SERVICE_LINKED = [
  ['AWSServiceRoleForAutoScaling', 'AutoScaling', 'autoscaling.amazonaws.com'],
  ['AWSServiceRoleForECS', 'ecs-service-scheduler', 'ecs.amazonaws.com'],
  ['AWSServiceRoleForElasticLoadBalancing', 'ElasticLoadBalancing', 'elasticloadbalancing.amazonaws.com'],
  ['AWSServiceRoleForRDS', 'rds', 'rds.amazonaws.com'],
] as const;

function ip(rng: Rng): string {
  // RFC 5737 documentation ranges and private ranges, never a real public address.
  const block = rng.pick(['192.0.2', '198.51.100', '203.0.113']);
  return `${block}.${rng.between(1, 254)}`;
}

export function iamUniqueId(rng: Rng, prefix: 'AROA' | 'AIDA' | 'ANPA' | 'AIPA' | 'ASIA' | 'AKIA'): string {
  return `${prefix}${rng.upper(17)}`;
}

function iamUser(rng: Rng, account: string, name: string): Caller {
  const cli = rng.chance(0.7);
  return {
    kind: 'iam-user',
    userIdentity: {
      type: 'IAMUser',
      principalId: iamUniqueId(rng, 'AIDA'),
      arn: `arn:aws:iam::${account}:user/${name}`,
      accountId: account,
      accessKeyId: iamUniqueId(rng, 'AKIA'),
      userName: name,
    },
    userAgent: cli ? rng.pick(CLI_UAS) : rng.pick(SDK_UAS),
    sourceIPAddress: ip(rng),
    console: false,
    arn: `arn:aws:iam::${account}:user/${name}`,
  };
}

function assumedRole(
  rng: Rng,
  account: string,
  roleName: string,
  session: string,
  options: { path?: string; userAgent: string; console?: boolean; invokedBy?: string; kind: Caller['kind'] },
): Caller {
  const roleId = iamUniqueId(rng, 'AROA');
  const path = options.path ?? '';
  const sessionArn = `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`;
  const identity: Json = {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: sessionArn,
    accountId: account,
    ...(options.invokedBy === undefined && { accessKeyId: iamUniqueId(rng, 'ASIA') }),
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: `arn:aws:iam::${account}:role/${path}${roleName}`,
        accountId: account,
        userName: roleName,
      },
      webIdFederationData: {},
      attributes: { creationDate: '2026-11-18T00:00:00Z', mfaAuthenticated: 'false' },
    },
    ...(options.invokedBy !== undefined && { invokedBy: options.invokedBy }),
  };
  return {
    kind: options.kind,
    userIdentity: identity,
    userAgent: options.userAgent,
    sourceIPAddress: options.invokedBy ?? ip(rng),
    console: options.console ?? false,
    arn: sessionArn,
  };
}

function awsService(service: string): Caller {
  return {
    kind: 'aws-service',
    userIdentity: { type: 'AWSService', invokedBy: service },
    userAgent: service,
    sourceIPAddress: service,
    console: false,
    arn: service,
  };
}

function makePool(rng: Rng, account: string, scale: number): ResourcePool {
  const n = (base: number): number => Math.max(2, Math.round(base * scale));
  const ids = (prefix: string, count: number, digits = 17): string[] =>
    Array.from({ length: count }, () => `${prefix}-${rng.hex(digits)}`);
  const names = (stem: string, count: number): string[] =>
    Array.from({ length: count }, (_, i) => `${stem}-${i + 1}`);
  return {
    vpcs: ids('vpc', n(4)),
    subnets: ids('subnet', n(24)),
    securityGroups: ids('sg', n(80)),
    instances: ids('i', n(160)),
    buckets: names(`acme-data-${account}`, n(40)),
    roles: APP_ROLES.map((r) => `${r}-role`).concat(names('svc-role', n(40))),
    functions: names('fn', n(60)),
    queues: names('queue', n(30)),
    tables: names('table', n(25)),
    keys: Array.from({ length: n(12) }, () => rng.uuid()),
    secrets: names('app/secret', n(30)),
    parameters: names('/app/config/param', n(80)),
    logGroups: names('/aws/lambda/fn', n(60)),
    dbInstances: names('db', n(6)),
  };
}

export function makeAccount(rng: Rng, id: string, weight: number): Account {
  const users = FIRST_NAMES.slice(0, 16).map((name) => iamUser(rng, id, `${name}-ci`));
  const roles: Caller[] = [];
  for (const role of APP_ROLES) {
    for (let s = 0; s < 3; s++) {
      roles.push(
        assumedRole(rng, id, `${role}-role`, rng.chance(0.5) ? `${role}-${rng.hex(8)}` : rng.uuid(), {
          userAgent: rng.pick(SDK_UAS),
          kind: 'role',
        }),
      );
    }
  }
  const identityCenter: Caller[] = [];
  for (const name of FIRST_NAMES) {
    const set = rng.pick(PERMISSION_SETS);
    const console = rng.chance(0.5);
    identityCenter.push(
      assumedRole(rng, id, `AWSReservedSSO_${set}_${rng.hex(16)}`, `${name}@example.com`, {
        path: 'aws-reserved/sso.amazonaws.com/eu-west-1/',
        userAgent: console ? 'AWS Internal' : rng.pick(CLI_UAS),
        console,
        kind: 'identity-center',
      }),
    );
  }
  const serviceRoles = SERVICE_LINKED.map(([role, session, service]) =>
    assumedRole(rng, id, role, session, {
      path: `aws-service-role/${service}/`,
      userAgent: service,
      invokedBy: service,
      kind: 'service-role',
    }),
  );
  const services = SERVICES.map(awsService);
  const terraform = [0, 1, 2].map((i) =>
    assumedRole(rng, id, 'terraform-deploy', `terraform-run-${8800 + i}`, {
      userAgent: TERRAFORM_UA,
      kind: 'role',
    }),
  );
  return {
    id,
    weight,
    callers: { users, roles, identityCenter, serviceRoles, services, terraform },
    pool: makePool(rng, id, weight),
  };
}

/** A caller who makes a change by hand or through automation (never an AWS service). */
export function changer(rng: Rng, account: Account): Caller {
  const c = account.callers;
  return rng.weighted<Caller>([
    [3, rng.pick(c.terraform)],
    [3, rng.pick(c.identityCenter)],
    [2, rng.pick(c.users)],
    [2, rng.pick(c.roles)],
  ]);
}

/** Anyone, weighted as a trail sees them: automation dominates. */
export function anyCaller(rng: Rng, account: Account): Caller {
  const c = account.callers;
  return rng.weighted<Caller>([
    [40, rng.pick(c.roles)],
    [14, rng.pick(c.identityCenter)],
    [12, rng.pick(c.users)],
    [6, rng.pick(c.terraform)],
    [6, rng.pick(c.serviceRoles)],
  ]);
}
