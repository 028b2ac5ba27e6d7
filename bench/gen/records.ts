/**
 * CloudTrail records with the fields and the nesting AWS writes (schema 1.09-1.11): management reads and
 * writes, data events, AWS service calls, failures. The shapes follow examples/ and the public records in
 * ../shared/datasets; the values are made up.
 */
import type { Rng } from '../lib/rng.js';
import { type Account, anyCaller, type Caller, GLOBAL_REGION, type Json, type JsonValue } from './world.js';

export interface Ctx {
  readonly rng: Rng;
  readonly account: Account;
  readonly region: string;
  readonly timeMs: number;
  readonly caller: Caller;
}

export interface RecordOptions {
  readonly readOnly: boolean;
  readonly requestParameters?: Json | null;
  readonly responseElements?: Json | null;
  readonly resources?: Json[];
  readonly category?: 'Management' | 'Data';
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly additionalEventData?: Json;
  readonly eventType?: 'AwsApiCall' | 'AwsServiceEvent' | 'AwsConsoleSignIn';
  readonly region?: string;
  readonly s3?: boolean;
}

export function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const TLS = ['TLSv1.3', 'TLSv1.2'];
const CIPHERS = ['TLS_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'];

/** One record. `eventID` is drawn here and returned with the record so scenarios can label it. */
export function record(ctx: Ctx, source: string, name: string, o: RecordOptions): Json {
  const { rng, caller } = ctx;
  const region = o.region ?? ctx.region;
  const requestId = o.s3 ? rng.upper(16) : rng.uuid();
  const rec: Json = {
    eventVersion: o.category === 'Data' ? '1.10' : '1.11',
    userIdentity: caller.userIdentity,
    eventTime: iso(ctx.timeMs),
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: caller.sourceIPAddress,
    userAgent: caller.userAgent,
  };
  if (o.errorCode !== undefined) {
    rec['errorCode'] = o.errorCode;
    rec['errorMessage'] = o.errorMessage ?? `User: ${caller.arn} is not authorized to perform: ${name}`;
  }
  rec['requestParameters'] = o.requestParameters ?? null;
  rec['responseElements'] = o.errorCode !== undefined ? null : (o.responseElements ?? null);
  if (o.additionalEventData !== undefined) rec['additionalEventData'] = o.additionalEventData;
  rec['requestID'] = requestId;
  rec['eventID'] = rng.uuid();
  rec['readOnly'] = o.readOnly;
  if (o.resources !== undefined) rec['resources'] = o.resources;
  rec['eventType'] = o.eventType ?? 'AwsApiCall';
  rec['managementEvent'] = o.category !== 'Data';
  rec['recipientAccountId'] = ctx.account.id;
  if (caller.kind === 'aws-service') rec['sharedEventID'] = rng.uuid();
  rec['eventCategory'] = o.category ?? 'Management';
  if (caller.console) rec['sessionCredentialFromConsole'] = 'true';
  else if (caller.kind !== 'aws-service' && caller.kind !== 'service-role') {
    rec['tlsDetails'] = {
      tlsVersion: rng.pick(TLS),
      cipherSuite: rng.pick(CIPHERS),
      clientProvidedHostHeader: `${source.replace('.amazonaws.com', '')}.${region}.amazonaws.com`,
    };
  }
  return rec;
}

export function eventIdOf(rec: Json): string {
  const id = rec['eventID'];
  if (typeof id !== 'string') throw new Error('record without an eventID');
  return id;
}

const items = (values: Json[]): Json => ({ items: values });

/** EC2's request shape for one ingress rule. */
export function ipPermissions(port: number, cidr: string): Json {
  return items([
    {
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      groups: {},
      ipRanges: items([{ cidrIp: cidr }]),
      ipv6Ranges: {},
      prefixListIds: {},
    },
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// Background traffic: what fills a trail between the changes anyone cares about.

type Builder = (ctx: Ctx) => Json;

const ec2 = 'ec2.amazonaws.com';
const s3 = 's3.amazonaws.com';
const iam = 'iam.amazonaws.com';

function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

const reads: readonly (readonly [number, Builder])[] = [
  [
    8,
    (c) =>
      record(c, ec2, 'DescribeInstances', {
        readOnly: true,
        requestParameters: {
          instancesSet: c.rng.chance(0.5)
            ? items([{ instanceId: c.rng.pick(c.account.pool.instances) }])
            : {},
          filterSet: {},
        },
      }),
  ],
  [
    5,
    (c) =>
      record(c, ec2, 'DescribeSecurityGroups', {
        readOnly: true,
        requestParameters: {
          securityGroupSet: {},
          securityGroupIdSet: items([{ groupId: c.rng.pick(c.account.pool.securityGroups) }]),
          filterSet: {},
        },
      }),
  ],
  [
    3,
    (c) =>
      record(c, ec2, c.rng.pick(['DescribeVpcs', 'DescribeSubnets', 'DescribeRouteTables']), {
        readOnly: true,
        requestParameters: {
          filterSet: items([
            { name: 'vpc-id', valueSet: items([{ value: c.rng.pick(c.account.pool.vpcs) }]) },
          ]),
        },
      }),
  ],
  [
    6,
    (c) => {
      const bucket = c.rng.pick(c.account.pool.buckets);
      return record(
        c,
        s3,
        c.rng.pick(['GetBucketAcl', 'GetBucketPolicy', 'GetBucketLocation', 'GetBucketVersioning']),
        {
          readOnly: true,
          s3: true,
          requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, acl: '' },
          additionalEventData: {
            SignatureVersion: 'SigV4',
            CipherSuite: 'TLS_AES_128_GCM_SHA256',
            bytesTransferredIn: 0,
            AuthenticationMethod: 'AuthHeader',
            'x-amz-id-2': c.rng.alnum(60),
            bytesTransferredOut: c.rng.between(200, 3000),
          },
          resources: [{ accountId: c.account.id, type: 'AWS::S3::Bucket', ARN: bucketArn(bucket) }],
        },
      );
    },
  ],
  [
    4,
    (c) =>
      record(c, iam, c.rng.pick(['GetRole', 'GetRolePolicy', 'ListAttachedRolePolicies']), {
        readOnly: true,
        region: GLOBAL_REGION,
        requestParameters: { roleName: c.rng.pick(c.account.pool.roles) },
      }),
  ],
  [
    2,
    (c) =>
      record(c, 'rds.amazonaws.com', 'DescribeDBInstances', {
        readOnly: true,
        requestParameters: { dBInstanceIdentifier: c.rng.pick(c.account.pool.dbInstances) },
      }),
  ],
  [
    6,
    (c) => {
      const secret = c.rng.pick(c.account.pool.secrets);
      return record(c, 'secretsmanager.amazonaws.com', 'GetSecretValue', {
        readOnly: true,
        requestParameters: {
          secretId: `arn:aws:secretsmanager:${c.region}:${c.account.id}:secret:${secret}-${c.rng.alnum(6)}`,
        },
      });
    },
  ],
  [
    6,
    (c) =>
      record(c, 'ssm.amazonaws.com', c.rng.pick(['GetParameter', 'GetParameters', 'GetParametersByPath']), {
        readOnly: true,
        requestParameters: { name: c.rng.pick(c.account.pool.parameters), withDecryption: true },
      }),
  ],
  [
    4,
    (c) =>
      record(c, 'lambda.amazonaws.com', c.rng.pick(['GetFunction20150331v2', 'ListFunctions20150331']), {
        readOnly: true,
        requestParameters: { functionName: c.rng.pick(c.account.pool.functions) },
      }),
  ],
  [
    4,
    (c) =>
      record(c, 'dynamodb.amazonaws.com', 'DescribeTable', {
        readOnly: true,
        requestParameters: { tableName: c.rng.pick(c.account.pool.tables) },
      }),
  ],
  [
    3,
    (c) =>
      record(c, 'sqs.amazonaws.com', 'GetQueueAttributes', {
        readOnly: true,
        requestParameters: {
          queueUrl: `https://sqs.${c.region}.amazonaws.com/${c.account.id}/${c.rng.pick(c.account.pool.queues)}`,
          attributeNames: ['All'],
        },
      }),
  ],
  [
    4,
    (c) =>
      record(
        c,
        'logs.amazonaws.com',
        c.rng.pick(['DescribeLogGroups', 'DescribeLogStreams', 'FilterLogEvents']),
        {
          readOnly: true,
          requestParameters: { logGroupName: c.rng.pick(c.account.pool.logGroups), limit: 50 },
        },
      ),
  ],
  [
    4,
    (c) =>
      record(c, 'monitoring.amazonaws.com', c.rng.pick(['DescribeAlarms', 'GetMetricData', 'ListMetrics']), {
        readOnly: true,
        requestParameters: { maxRecords: 100 },
      }),
  ],
  [3, (c) => record(c, 'sts.amazonaws.com', 'GetCallerIdentity', { readOnly: true })],
];

function kmsByService(c: Ctx): Json {
  const key = c.rng.pick(c.account.pool.keys);
  const keyArn = `arn:aws:kms:${c.region}:${c.account.id}:key/${key}`;
  const service = c.rng.pick([
    's3.amazonaws.com',
    'secretsmanager.amazonaws.com',
    'ssm.amazonaws.com',
    'dynamodb.amazonaws.com',
  ]);
  return record(
    { ...c, caller: anyCaller(c.rng, c.account) },
    'kms.amazonaws.com',
    c.rng.pick(['Decrypt', 'GenerateDataKey']),
    {
      readOnly: true,
      requestParameters: {
        encryptionContext: { 'aws:s3:arn': bucketArn(c.rng.pick(c.account.pool.buckets)) },
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        keyId: keyArn,
      },
      additionalEventData: { viaService: service },
      resources: [{ accountId: c.account.id, type: 'AWS::KMS::Key', ARN: keyArn }],
    },
  );
}

function assumeRoleByService(c: Ctx): Json {
  const role = c.rng.pick(c.account.pool.roles);
  const service = c.rng.pick(['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'ec2.amazonaws.com']);
  const caller: Caller = {
    kind: 'aws-service',
    userIdentity: { type: 'AWSService', invokedBy: service },
    userAgent: service,
    sourceIPAddress: service,
    console: false,
    arn: service,
  };
  const roleArn = `arn:aws:iam::${c.account.id}:role/${role}`;
  return record({ ...c, caller }, 'sts.amazonaws.com', 'AssumeRole', {
    readOnly: true,
    requestParameters: { roleArn, roleSessionName: c.rng.hex(12), durationSeconds: 3600 },
    responseElements: {
      credentials: {
        accessKeyId: `ASIA${c.rng.upper(16)}`,
        sessionToken: c.rng.alnum(120),
        expiration: 'Nov 18, 2026, 10:00:00 AM',
      },
      assumedRoleUser: {
        assumedRoleId: `AROA${c.rng.upper(17)}:${c.rng.hex(12)}`,
        arn: `arn:aws:sts::${c.account.id}:assumed-role/${role}/${c.rng.hex(12)}`,
      },
    },
    resources: [{ accountId: c.account.id, type: 'AWS::IAM::Role', ARN: roleArn }],
  });
}

const serviceEvents: readonly (readonly [number, Builder])[] = [
  [6, kmsByService],
  [4, assumeRoleByService],
];

function s3Object(c: Ctx, write: boolean): Json {
  const bucket = c.rng.pick(c.account.pool.buckets);
  const key = `data/${c.rng.hex(4)}/${c.rng.hex(12)}.parquet`;
  return record(c, s3, write ? 'PutObject' : 'GetObject', {
    readOnly: !write,
    s3: true,
    category: 'Data',
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, key },
    responseElements: write
      ? { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-version-id': c.rng.alnum(32) }
      : null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: write ? c.rng.between(1000, 5_000_000) : 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': c.rng.alnum(60),
      bytesTransferredOut: write ? 0 : c.rng.between(1000, 5_000_000),
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: `${bucketArn(bucket)}/${key}` },
      { accountId: c.account.id, type: 'AWS::S3::Bucket', ARN: bucketArn(bucket) },
    ],
  });
}

const dataEvents: readonly (readonly [number, Builder])[] = [
  [8, (c) => s3Object(c, false)],
  [4, (c) => s3Object(c, true)],
  [
    4,
    (c) => {
      const fn = c.rng.pick(c.account.pool.functions);
      const arn = `arn:aws:lambda:${c.region}:${c.account.id}:function:${fn}`;
      return record(c, 'lambda.amazonaws.com', 'Invoke', {
        readOnly: false,
        category: 'Data',
        requestParameters: {
          functionName: arn,
          invocationType: 'RequestResponse',
          sourceArn: `arn:aws:execute-api:${c.region}:${c.account.id}:${c.rng.alnum(10)}/prod/POST/orders`,
        },
        additionalEventData: { functionVersion: `${arn}:$LATEST` },
        resources: [{ accountId: c.account.id, type: 'AWS::Lambda::Function', ARN: arn }],
      });
    },
  ],
  [
    4,
    (c) => {
      const table = c.rng.pick(c.account.pool.tables);
      const arn = `arn:aws:dynamodb:${c.region}:${c.account.id}:table/${table}`;
      const write = c.rng.chance(0.4);
      return record(c, 'dynamodb.amazonaws.com', write ? 'PutItem' : 'GetItem', {
        readOnly: !write,
        category: 'Data',
        requestParameters: { tableName: table, key: { pk: `ORDER#${c.rng.hex(10)}` }, consistentRead: false },
        resources: [{ accountId: c.account.id, type: 'AWS::DynamoDB::Table', ARN: arn }],
      });
    },
  ],
];

/** Writes to the background pool: indexable events that explain no Config change of the corpus. */
const writes: readonly (readonly [number, Builder])[] = [
  [
    10,
    (c) =>
      record(c, 'logs.amazonaws.com', 'CreateLogStream', {
        readOnly: false,
        requestParameters: {
          logGroupName: c.rng.pick(c.account.pool.logGroups),
          logStreamName: `2026/11/18/[$LATEST]${c.rng.hex(32)}`,
        },
      }),
  ],
  [
    3,
    (c) =>
      record(c, ec2, 'CreateTags', {
        readOnly: false,
        requestParameters: {
          resourcesSet: items([{ resourceId: c.rng.pick(c.account.pool.instances) }]),
          tagSet: items([{ key: 'backup', value: c.rng.pick(['daily', 'weekly']) }]),
        },
        responseElements: { requestId: c.rng.uuid(), _return: true },
      }),
  ],
  [
    2,
    (c) => {
      const groupId = c.rng.pick(c.account.pool.securityGroups);
      return record(c, ec2, 'AuthorizeSecurityGroupIngress', {
        readOnly: false,
        requestParameters: {
          groupId,
          ipPermissions: ipPermissions(c.rng.pick([443, 8080, 5432]), `10.${c.rng.int(255)}.0.0/16`),
        },
        responseElements: {
          requestId: c.rng.uuid(),
          _return: true,
          securityGroupRuleSet: items([
            {
              groupOwnerId: c.account.id,
              groupId,
              securityGroupRuleId: `sgr-${c.rng.hex(17)}`,
              isEgress: false,
            },
          ]),
        },
      });
    },
  ],
  [
    2,
    (c) =>
      record(c, ec2, c.rng.pick(['StartInstances', 'StopInstances']), {
        readOnly: false,
        requestParameters: { instancesSet: items([{ instanceId: c.rng.pick(c.account.pool.instances) }]) },
        responseElements: {
          requestId: c.rng.uuid(),
          instancesSet: items([
            {
              instanceId: c.rng.pick(c.account.pool.instances),
              currentState: { code: 64, name: 'stopping' },
              previousState: { code: 16, name: 'running' },
            },
          ]),
        },
      }),
  ],
  [
    3,
    (c) =>
      record(c, 'ssm.amazonaws.com', 'PutParameter', {
        readOnly: false,
        requestParameters: { name: c.rng.pick(c.account.pool.parameters), type: 'String', overwrite: true },
        responseElements: { version: c.rng.between(2, 90), tier: 'Standard' },
      }),
  ],
  [
    2,
    (c) => {
      const bucket = c.rng.pick(c.account.pool.buckets);
      return record(c, s3, 'PutBucketTagging', {
        readOnly: false,
        s3: true,
        requestParameters: {
          bucketName: bucket,
          Host: `${bucket}.s3.${c.region}.amazonaws.com`,
          tagging: '',
        },
        resources: [{ accountId: c.account.id, type: 'AWS::S3::Bucket', ARN: bucketArn(bucket) }],
      });
    },
  ],
  [
    2,
    (c) => {
      const role = c.rng.pick(c.account.pool.roles);
      return record(c, iam, 'PutRolePolicy', {
        readOnly: false,
        region: GLOBAL_REGION,
        requestParameters: {
          roleName: role,
          policyName: 'inline-access',
          policyDocument:
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage"],"Resource":"*"}]}',
        },
      });
    },
  ],
  [
    2,
    (c) => {
      const fn = c.rng.pick(c.account.pool.functions);
      return record(c, 'lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', {
        readOnly: false,
        requestParameters: { functionName: fn, timeout: c.rng.pick([30, 60, 900]) },
        responseElements: {
          functionName: fn,
          functionArn: `arn:aws:lambda:${c.region}:${c.account.id}:function:${fn}`,
          runtime: 'nodejs20.x',
          role: `arn:aws:iam::${c.account.id}:role/${c.rng.pick(c.account.pool.roles)}`,
          handler: 'index.handler',
          codeSize: c.rng.between(10_000, 5_000_000),
          timeout: 60,
          memorySize: 512,
          lastModified: '2026-11-18T09:00:00.000+0000',
          version: '$LATEST',
          state: 'Active',
          lastUpdateStatus: 'InProgress',
        },
      });
    },
  ],
  [
    2,
    (c) =>
      record(c, 'sqs.amazonaws.com', 'SetQueueAttributes', {
        readOnly: false,
        requestParameters: {
          queueUrl: `https://sqs.${c.region}.amazonaws.com/${c.account.id}/${c.rng.pick(c.account.pool.queues)}`,
          attributes: { VisibilityTimeout: String(c.rng.pick([30, 60, 300])) },
        },
      }),
  ],
  [
    2,
    (c) => {
      const secret = c.rng.pick(c.account.pool.secrets);
      const arn = `arn:aws:secretsmanager:${c.region}:${c.account.id}:secret:${secret}-${c.rng.alnum(6)}`;
      return record(c, 'secretsmanager.amazonaws.com', 'PutSecretValue', {
        readOnly: false,
        requestParameters: { secretId: arn, clientRequestToken: c.rng.uuid() },
        responseElements: { arn, versionId: c.rng.uuid(), versionStages: ['AWSCURRENT'] },
      });
    },
  ],
  [
    2,
    (c) =>
      record(c, 'kms.amazonaws.com', 'CreateGrant', {
        readOnly: false,
        requestParameters: {
          keyId: `arn:aws:kms:${c.region}:${c.account.id}:key/${c.rng.pick(c.account.pool.keys)}`,
          granteePrincipal: 'rds.amazonaws.com',
          operations: ['Decrypt', 'GenerateDataKey'],
        },
        responseElements: {
          grantId: c.rng.hex(64),
          keyId: `arn:aws:kms:${c.region}:${c.account.id}:key/${c.rng.pick(c.account.pool.keys)}`,
        },
      }),
  ],
];

const ERRORS = [
  ['AccessDenied', 'Access Denied'],
  ['Client.UnauthorizedOperation', 'You are not authorized to perform this operation.'],
  ['ThrottlingException', 'Rate exceeded'],
  ['ResourceNotFoundException', 'Requested resource not found'],
  ['ValidationException', '1 validation error detected'],
] as const;

export type Kind = 'read' | 'write' | 'data' | 'service';

/** The mix of a busy production trail: reads dominate, then data events, then AWS services, then writes. */
export const MIX: readonly (readonly [number, Kind])[] = [
  [60, 'read'],
  [20, 'data'],
  [9, 'service'],
  [11, 'write'],
];

const TABLES: Readonly<Record<Kind, readonly (readonly [number, Builder])[]>> = {
  read: reads,
  write: writes,
  data: dataEvents,
  service: serviceEvents,
};

/**
 * One background record; about 4% of management calls fail, unless `failures` is false (the write-only
 * archive of the indexing benchmark: every record a successful management write).
 */
export function backgroundRecord(ctx: Ctx, kind: Kind, failures = true): Json {
  const builder = ctx.rng.weighted(TABLES[kind]);
  const rec = builder(ctx);
  if (failures && (kind === 'read' || kind === 'write') && ctx.rng.chance(0.04)) {
    const [code, message] = ctx.rng.pick(ERRORS);
    rec['errorCode'] = code;
    rec['errorMessage'] = message;
    rec['responseElements'] = null;
  }
  return rec;
}

/** Fields of a failed call, for scenario traps. */
export function failed(rec: Json, code = 'Client.UnauthorizedOperation'): Json {
  rec['errorCode'] = code;
  rec['errorMessage'] = 'You are not authorized to perform this operation.';
  rec['responseElements'] = null;
  return rec;
}

export type { JsonValue };
