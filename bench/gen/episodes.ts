/**
 * The labelled corpus: episodes in which a known CloudTrail event makes a Config change, placed among
 * the traps that fool naive attribution. Every configuration item the generator writes comes from an
 * episode and carries its ground truth: the id of the event that caused it, or none.
 *
 * Hard cases (see bench/README.md): IAM roles recorded under AROA ids while events carry the name; RDS
 * instances under db- resource ids; route tables changed through an association id only; events without
 * `resources`; failed calls and reads on the same resource in the window; same-named resources in other
 * accounts; several writers on one resource in one window; changes no event in the account explains.
 */
import type { Rng } from '../lib/rng.js';
import { type Ctx, eventIdOf, failed, ipPermissions, iso, record } from './records.js';
import {
  type Account,
  type Caller,
  changer,
  GLOBAL_REGION,
  iamUniqueId,
  type Json,
  type JsonValue,
} from './world.js';

export interface PlacedRecord {
  readonly timeMs: number;
  readonly account: string;
  readonly region: string;
  readonly record: Json;
}

export interface Label {
  readonly accountId: string;
  /** The region whose Config recorder sent the change (where a Lambda of the published designs runs). */
  readonly recordingRegion: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly captureTime: string;
  readonly scenario: string;
  /** The event that made the change; null when no event in the account did. */
  readonly expectedEventId: string | null;
  readonly expectedEventName: string | null;
  /** Events on the same resource (or its name) that must not be blamed. */
  readonly traps: readonly string[];
}

export interface PlannedChange {
  readonly captureMs: number;
  /** The EventBridge "Config Configuration Item Change" event. */
  readonly event: Json;
  readonly label: Label;
}

export interface Episode {
  readonly records: PlacedRecord[];
  readonly changes: PlannedChange[];
}

export interface EpisodeWorld {
  readonly accounts: readonly Account[];
  readonly startMs: number;
  readonly endMs: number;
}

const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------------------
// Configuration items

export interface ChangeSpec {
  readonly account: Account;
  readonly recordingRegion: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly arn?: string;
  readonly awsRegion: string;
  readonly captureMs: number;
  readonly changeType: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly changed: Record<string, { previousValue: JsonValue; updatedValue: JsonValue; changeType: string }>;
  readonly configuration: Json;
  readonly tags: Record<string, string>;
  readonly relationships?: Json[];
}

export function configItemEvent(rng: Rng, s: ChangeSpec): Json {
  const status =
    s.changeType === 'CREATE' ? 'ResourceDiscovered' : s.changeType === 'DELETE' ? 'ResourceDeleted' : 'OK';
  const capture = new Date(s.captureMs).toISOString();
  return {
    version: '0',
    id: rng.uuid(),
    'detail-type': 'Config Configuration Item Change',
    source: 'aws.config',
    account: s.account.id,
    time: iso(s.captureMs + 1000),
    region: s.recordingRegion,
    resources: s.arn === undefined ? [] : [s.arn],
    detail: {
      recordVersion: '1.3',
      messageType: 'ConfigurationItemChangeNotification',
      configurationItemDiff: {
        changedProperties: s.changeType === 'CREATE' ? {} : s.changed,
        changeType: s.changeType,
      },
      notificationCreationTime: new Date(s.captureMs + 900).toISOString(),
      configurationItem: {
        relatedEvents: [],
        relationships: s.relationships ?? [],
        configuration: s.configuration,
        supplementaryConfiguration: {},
        tags: s.tags,
        configurationItemVersion: '1.3',
        configurationItemCaptureTime: capture,
        configurationStateId: s.captureMs,
        awsAccountId: s.account.id,
        configurationItemStatus: status,
        resourceType: s.resourceType,
        resourceId: s.resourceId,
        ...(s.resourceName !== undefined && { resourceName: s.resourceName }),
        ...(s.arn !== undefined && { ARN: s.arn }),
        awsRegion: s.awsRegion,
        availabilityZone: s.awsRegion === 'global' ? 'Not Applicable' : 'Multiple Availability Zones',
        configurationStateMd5Hash: '',
      },
    },
  };
}

function change(
  rng: Rng,
  spec: ChangeSpec,
  label: Omit<Label, 'accountId' | 'recordingRegion' | 'resourceType' | 'resourceId' | 'captureTime'>,
): PlannedChange {
  return {
    captureMs: spec.captureMs,
    event: configItemEvent(rng, spec),
    label: {
      accountId: spec.account.id,
      recordingRegion: spec.recordingRegion,
      resourceType: spec.resourceType,
      resourceId: spec.resourceId,
      captureTime: new Date(spec.captureMs).toISOString(),
      ...label,
    },
  };
}

/** Config records a change some seconds to minutes after the call (median 90 s, 10 minutes at most). */
function captureDelay(rng: Rng): number {
  return Math.min(10 * MINUTE, Math.max(20_000, rng.logNormal(90_000, 0.6)));
}

// ---------------------------------------------------------------------------------------------------------
// Episode helpers

class Builder {
  public readonly records: PlacedRecord[] = [];
  public readonly changes: PlannedChange[] = [];
  public readonly traps: string[] = [];

  public constructor(
    public readonly rng: Rng,
    public readonly account: Account,
    public readonly region: string,
  ) {}

  public ctx(timeMs: number, caller: Caller, account: Account = this.account, region = this.region): Ctx {
    return { rng: this.rng, account, region, timeMs, caller };
  }

  public add(timeMs: number, rec: Json, account: Account = this.account): Json {
    const region = String(rec['awsRegion']);
    this.records.push({ timeMs, account: account.id, region, record: rec });
    return rec;
  }

  public trap(timeMs: number, rec: Json, account: Account = this.account): void {
    this.add(timeMs, rec, account);
    this.traps.push(eventIdOf(rec));
  }
}

function otherAccount(rng: Rng, world: EpisodeWorld, account: Account): Account {
  const others = world.accounts.filter((a) => a.id !== account.id);
  return rng.pick(others);
}

function tags(rng: Rng, name: string): Record<string, string> {
  return rng.chance(0.6)
    ? { Name: name, 'managed-by': 'terraform', team: rng.pick(['payments', 'search', 'core']) }
    : { Name: name };
}

const TEAMS = [
  'atlas',
  'borealis',
  'cygnus',
  'draco',
  'equinox',
  'fornax',
  'gemini',
  'hydra',
  'indus',
  'lyra',
];

function uniqueName(rng: Rng, stem: string, serial: number): string {
  return `${rng.pick(TEAMS)}-${stem}-${serial}`;
}

/** A failed write and/or reads on the subject in the window: events that must never be blamed. */
function addTraps(
  b: Builder,
  t: number,
  captureMs: number,
  failedCall: (c: Ctx) => Json,
  read: (c: Ctx) => Json,
): void {
  const { rng } = b;
  if (rng.chance(0.45)) {
    const at = t - rng.between(5_000, 4 * MINUTE);
    b.trap(at, failed(failedCall(b.ctx(at, changer(rng, b.account)))));
  }
  if (rng.chance(0.55)) {
    const n = rng.between(1, 3);
    for (let i = 0; i < n; i++) {
      const at = rng.chance(0.5)
        ? t - rng.between(1_000, 6 * MINUTE)
        : t + rng.int(Math.max(1, captureMs - t));
      b.trap(at, read(b.ctx(at, changer(rng, b.account))));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The episodes. Each takes the time of the causing call and returns its records and changes.

type EpisodeFn = (b: Builder, world: EpisodeWorld, t: number, serial: number) => void;

const ec2 = 'ec2.amazonaws.com';

const sgIngress: EpisodeFn = (b, world, t, serial) => {
  const { rng, account, region } = b;
  const groupId = `sg-${rng.hex(17)}`;
  const vpcId = `vpc-${rng.hex(17)}`;
  const name = uniqueName(rng, 'sg', serial);
  const arn = `arn:aws:ec2:${region}:${account.id}:security-group/${groupId}`;
  const tagSet = tags(rng, name);
  const authorize = (c: Ctx, port: number, cidr: string): Json =>
    record(c, ec2, 'AuthorizeSecurityGroupIngress', {
      readOnly: false,
      requestParameters: { groupId, ipPermissions: ipPermissions(port, cidr) },
      responseElements: {
        requestId: rng.uuid(),
        _return: true,
        securityGroupRuleSet: {
          items: [
            {
              groupOwnerId: account.id,
              groupId,
              securityGroupRuleId: `sgr-${rng.hex(17)}`,
              isEgress: false,
              ipProtocol: 'tcp',
              fromPort: port,
              toPort: port,
              cidrIpv4: cidr,
            },
          ],
        },
      },
    });
  const describe = (c: Ctx): Json =>
    record(c, ec2, 'DescribeSecurityGroups', {
      readOnly: true,
      requestParameters: {
        securityGroupSet: {},
        securityGroupIdSet: { items: [{ groupId }] },
        filterSet: {},
      },
    });
  const spec = (captureMs: number, port: number): ChangeSpec => ({
    account,
    recordingRegion: region,
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: groupId,
    resourceName: name,
    arn,
    awsRegion: region,
    captureMs,
    changeType: 'UPDATE',
    changed: {
      'Configuration.IpPermissions.1': {
        previousValue: null,
        updatedValue: {
          fromPort: port,
          ipProtocol: 'tcp',
          toPort: port,
          ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
          ipRanges: ['0.0.0.0/0'],
        },
        changeType: 'CREATE',
      },
    },
    configuration: {
      groupName: name,
      groupId,
      vpcId,
      ownerId: account.id,
      description: `${name} rules`,
      ipPermissions: [],
      ipPermissionsEgress: [],
    },
    tags: tagSet,
    relationships: [
      { resourceId: vpcId, resourceName: null, resourceType: 'AWS::EC2::VPC', name: 'Is contained in Vpc' },
    ],
  });

  // Several writers: an earlier change by someone else, with its own item, inside the later item's window.
  let first = t;
  if (rng.chance(0.15)) {
    const earlier = t - rng.between(3 * MINUTE, 9 * MINUTE);
    const caller = changer(rng, account);
    const rec = b.add(earlier, authorize(b.ctx(earlier, caller), 8443, '10.0.0.0/8'));
    const captureMs = Math.min(earlier + captureDelay(rng), t - 15_000);
    b.changes.push(
      change(rng, spec(captureMs, 8443), {
        scenario: 'several writers (first)',
        expectedEventId: eventIdOf(rec),
        expectedEventName: 'AuthorizeSecurityGroupIngress',
        traps: [],
      }),
    );
    first = earlier;
  }
  const caller = changer(rng, account);
  const rec = b.add(t, authorize(b.ctx(t, caller), rng.pick([22, 443, 3389, 5432]), '0.0.0.0/0'));
  const captureMs = t + captureDelay(rng);
  addTraps(b, t, captureMs, (c) => authorize(c, 3389, '0.0.0.0/0'), describe);
  if (rng.chance(0.2)) {
    // The same group name in another account, changed at about the same time.
    const other = otherAccount(rng, world, account);
    const at = t + rng.between(-60_000, 60_000);
    const otherGroup = `sg-${rng.hex(17)}`;
    b.trap(
      at,
      record(b.ctx(at, changer(rng, other), other), ec2, 'AuthorizeSecurityGroupIngress', {
        readOnly: false,
        requestParameters: { groupName: name, ipPermissions: ipPermissions(22, '0.0.0.0/0') },
        responseElements: {
          requestId: rng.uuid(),
          _return: true,
          securityGroupRuleSet: {
            items: [
              {
                groupOwnerId: other.id,
                groupId: otherGroup,
                securityGroupRuleId: `sgr-${rng.hex(17)}`,
                isEgress: false,
              },
            ],
          },
        },
      }),
      other,
    );
  }
  b.changes.push(
    change(rng, spec(captureMs, 22), {
      scenario: first !== t ? 'several writers (second)' : 'security group rule by group id',
      expectedEventId: eventIdOf(rec),
      expectedEventName: 'AuthorizeSecurityGroupIngress',
      traps: [...b.traps],
    }),
  );
};

const sgCreate: EpisodeFn = (b, _world, t, serial) => {
  const { rng, account, region } = b;
  const groupId = `sg-${rng.hex(17)}`;
  const vpcId = `vpc-${rng.hex(17)}`;
  const name = uniqueName(rng, 'sg', serial);
  const caller = rng.pick(account.callers.terraform);
  const rec = b.add(
    t,
    record(b.ctx(t, caller), ec2, 'CreateSecurityGroup', {
      readOnly: false,
      requestParameters: {
        groupName: name,
        groupDescription: `${name} managed by Terraform`,
        vpcId,
        tagSpecificationSet: {
          items: [
            {
              resourceType: 'security-group',
              tags: [
                { key: 'Name', value: name },
                { key: 'managed-by', value: 'terraform' },
              ],
            },
          ],
        },
      },
      responseElements: {
        requestId: rng.uuid(),
        _return: true,
        groupId,
        securityGroupArn: `arn:aws:ec2:${region}:${account.id}:security-group/${groupId}`,
      },
    }),
  );
  // Terraform's follow-up calls on the new group: same writer, same window, never the creation.
  const followUps: string[] = [];
  for (let i = 0; i < rng.between(1, 2); i++) {
    const at = t + 2_000 + i * 1_000;
    const follow = b.add(
      at,
      record(b.ctx(at, caller), ec2, 'RevokeSecurityGroupEgress', {
        readOnly: false,
        requestParameters: { groupId, ipPermissions: ipPermissions(0, '0.0.0.0/0') },
        responseElements: { requestId: rng.uuid(), _return: true },
      }),
    );
    followUps.push(eventIdOf(follow));
  }
  const captureMs = t + captureDelay(rng) + 5_000;
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::EC2::SecurityGroup',
        resourceId: groupId,
        resourceName: name,
        arn: `arn:aws:ec2:${region}:${account.id}:security-group/${groupId}`,
        awsRegion: region,
        captureMs,
        changeType: 'CREATE',
        changed: {},
        configuration: {
          groupName: name,
          groupId,
          vpcId,
          ownerId: account.id,
          ipPermissions: [],
          ipPermissionsEgress: [],
        },
        tags: { Name: name, 'managed-by': 'terraform' },
      },
      {
        scenario: 'creation (id in the response)',
        expectedEventId: eventIdOf(rec),
        expectedEventName: 'CreateSecurityGroup',
        traps: [],
      },
    ),
  );
};

const instanceUpdate: EpisodeFn = (b, _world, t) => {
  const { rng, account, region } = b;
  const instanceId = `i-${rng.hex(17)}`;
  const stop = rng.chance(0.5);
  const rec = b.add(
    t,
    stop
      ? record(b.ctx(t, changer(rng, account)), ec2, 'StopInstances', {
          readOnly: false,
          requestParameters: { instancesSet: { items: [{ instanceId }] }, force: false },
          responseElements: {
            requestId: rng.uuid(),
            instancesSet: {
              items: [
                {
                  instanceId,
                  currentState: { code: 64, name: 'stopping' },
                  previousState: { code: 16, name: 'running' },
                },
              ],
            },
          },
        })
      : record(b.ctx(t, changer(rng, account)), ec2, 'ModifyInstanceAttribute', {
          readOnly: false,
          requestParameters: { instanceId, instanceType: { value: 'm7g.large' } },
          responseElements: { requestId: rng.uuid(), _return: true },
        }),
  );
  const captureMs = t + captureDelay(rng);
  addTraps(
    b,
    t,
    captureMs,
    (c) =>
      record(c, ec2, 'TerminateInstances', {
        readOnly: false,
        requestParameters: { instancesSet: { items: [{ instanceId }] } },
      }),
    (c) =>
      record(c, ec2, 'DescribeInstances', {
        readOnly: true,
        requestParameters: { instancesSet: { items: [{ instanceId }] }, filterSet: {} },
      }),
  );
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::EC2::Instance',
        resourceId: instanceId,
        arn: `arn:aws:ec2:${region}:${account.id}:instance/${instanceId}`,
        awsRegion: region,
        captureMs,
        changeType: 'UPDATE',
        changed: stop
          ? {
              'Configuration.State.Name': {
                previousValue: 'running',
                updatedValue: 'stopped',
                changeType: 'UPDATE',
              },
            }
          : {
              'Configuration.InstanceType': {
                previousValue: 'm7g.medium',
                updatedValue: 'm7g.large',
                changeType: 'UPDATE',
              },
            },
        configuration: {
          instanceId,
          instanceType: 'm7g.large',
          state: { code: stop ? 80 : 16, name: stop ? 'stopped' : 'running' },
        },
        tags: tags(rng, instanceId),
      },
      {
        scenario: 'instance update',
        expectedEventId: eventIdOf(rec),
        expectedEventName: String(rec['eventName']),
        traps: [...b.traps],
      },
    ),
  );
};

const instanceCreate: EpisodeFn = (b, _world, t) => {
  const { rng, account, region } = b;
  const instanceId = `i-${rng.hex(17)}`;
  const eni = `eni-${rng.hex(17)}`;
  const subnet = `subnet-${rng.hex(17)}`;
  const vpc = `vpc-${rng.hex(17)}`;
  const sg = `sg-${rng.hex(17)}`;
  const auto = rng.chance(0.5);
  const caller = auto ? account.callers.serviceRoles[0]! : rng.pick(account.callers.terraform);
  const rec = b.add(
    t,
    record(b.ctx(t, caller), ec2, 'RunInstances', {
      readOnly: false,
      requestParameters: {
        instancesSet: { items: [{ minCount: 1, maxCount: 1 }] },
        instanceType: 'm7g.large',
        blockDeviceMapping: {},
        subnetId: subnet,
        launchTemplate: { launchTemplateId: `lt-${rng.hex(17)}`, version: '$Latest' },
        monitoring: { enabled: false },
        disableApiTermination: false,
        disableApiStop: false,
        clientToken: rng.uuid(),
      },
      responseElements: {
        requestId: rng.uuid(),
        reservationId: `r-${rng.hex(17)}`,
        ownerId: account.id,
        groupSet: {},
        instancesSet: {
          items: [
            {
              instanceId,
              imageId: `ami-${rng.hex(17)}`,
              currentInstanceBootMode: 'uefi',
              instanceState: { code: 0, name: 'pending' },
              privateDnsName: `ip-10-0-${rng.int(255)}-${rng.int(255)}.${region}.compute.internal`,
              amiLaunchIndex: 0,
              productCodes: {},
              instanceType: 'm7g.large',
              launchTime: t,
              placement: { availabilityZone: `${region}a`, tenancy: 'default' },
              monitoring: { state: 'disabled' },
              subnetId: subnet,
              vpcId: vpc,
              privateIpAddress: `10.0.${rng.int(255)}.${rng.int(255)}`,
              stateReason: { code: 'pending', message: 'pending' },
              architecture: 'arm64',
              rootDeviceType: 'ebs',
              rootDeviceName: '/dev/xvda',
              blockDeviceMapping: {},
              virtualizationType: 'hvm',
              hypervisor: 'xen',
              groupSet: { items: [{ groupId: sg, groupName: 'default' }] },
              networkInterfaceSet: {
                items: [
                  {
                    networkInterfaceId: eni,
                    subnetId: subnet,
                    vpcId: vpc,
                    ownerId: account.id,
                    status: 'in-use',
                    privateIpAddress: '10.0.1.10',
                    sourceDestCheck: true,
                    interfaceType: 'interface',
                    groupSet: { items: [{ groupId: sg, groupName: 'default' }] },
                    attachment: {
                      attachmentId: `eni-attach-${rng.hex(17)}`,
                      deviceIndex: 0,
                      networkCardIndex: 0,
                      status: 'attaching',
                      attachTime: t,
                      deleteOnTermination: true,
                    },
                  },
                ],
              },
              ebsOptimized: true,
              enaSupport: true,
              metadataOptions: {
                state: 'pending',
                httpTokens: 'required',
                httpPutResponseHopLimit: 2,
                httpEndpoint: 'enabled',
              },
            },
          ],
        },
      },
    }),
  );
  const captureMs = t + captureDelay(rng) + 10_000;
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::EC2::Instance',
        resourceId: instanceId,
        arn: `arn:aws:ec2:${region}:${account.id}:instance/${instanceId}`,
        awsRegion: region,
        captureMs,
        changeType: 'CREATE',
        changed: {},
        configuration: { instanceId, instanceType: 'm7g.large', subnetId: subnet, vpcId: vpc },
        tags: tags(rng, instanceId),
      },
      {
        scenario: 'creation (id in the response)',
        expectedEventId: eventIdOf(rec),
        expectedEventName: 'RunInstances',
        traps: [],
      },
    ),
  );
};

function roleConfiguration(name: string, roleId: string, arn: string): Json {
  return {
    path: '/',
    roleName: name,
    roleId,
    arn,
    createDate: '2026-10-02T14:11:09.000Z',
    assumeRolePolicyDocument: '%7B%22Version%22%3A%222012-10-17%22%7D',
    instanceProfileList: [],
    rolePolicyList: [],
    attachedManagedPolicies: [],
    permissionsBoundary: null,
    tags: [],
  };
}

const iamRoleUpdate: EpisodeFn = (b, world, t, serial) => {
  const { rng, account, region } = b;
  const name = uniqueName(rng, 'role', serial);
  const roleId = iamUniqueId(rng, 'AROA');
  const arn = `arn:aws:iam::${account.id}:role/${name}`;
  const action = rng.pick([
    'PutRolePolicy',
    'AttachRolePolicy',
    'UpdateAssumeRolePolicy',
    'TagRole',
  ] as const);
  const iam = 'iam.amazonaws.com';
  const call = (c: Ctx, roleName: string): Json => {
    switch (action) {
      case 'PutRolePolicy':
        return record(c, iam, action, {
          readOnly: false,
          region: GLOBAL_REGION,
          requestParameters: {
            roleName,
            policyName: 'inline-access',
            policyDocument:
              '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
          },
        });
      case 'AttachRolePolicy':
        return record(c, iam, action, {
          readOnly: false,
          region: GLOBAL_REGION,
          requestParameters: { roleName, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        });
      case 'UpdateAssumeRolePolicy':
        return record(c, iam, action, {
          readOnly: false,
          region: GLOBAL_REGION,
          requestParameters: {
            roleName,
            policyDocument:
              '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
          },
        });
      case 'TagRole':
        return record(c, iam, action, {
          readOnly: false,
          region: GLOBAL_REGION,
          requestParameters: { roleName, tags: [{ key: 'owner', value: 'payments' }] },
        });
    }
  };
  const property =
    action === 'PutRolePolicy'
      ? 'Configuration.RolePolicyList.0'
      : action === 'AttachRolePolicy'
        ? 'Configuration.AttachedManagedPolicies.0'
        : action === 'TagRole'
          ? 'Configuration.Tags.0'
          : 'Configuration.AssumeRolePolicyDocument';
  const rec = b.add(t, call(b.ctx(t, changer(rng, account)), name));
  const captureMs = t + captureDelay(rng);
  addTraps(
    b,
    t,
    captureMs,
    (c) => call(c, name),
    (c) =>
      record(c, iam, rng.pick(['GetRole', 'ListRolePolicies', 'GetRolePolicy']), {
        readOnly: true,
        region: GLOBAL_REGION,
        requestParameters: { roleName: name },
      }),
  );
  if (rng.chance(0.25)) {
    // A role of the same name in another account, changed in the same minute.
    const other = otherAccount(rng, world, account);
    const at = t + rng.between(-60_000, 60_000);
    b.trap(at, call(b.ctx(at, changer(rng, other), other), name), other);
  }
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::IAM::Role',
        resourceId: roleId,
        resourceName: name,
        arn,
        awsRegion: 'global',
        captureMs,
        changeType: 'UPDATE',
        changed: {
          [property]: {
            previousValue: null,
            updatedValue: { policyName: 'inline-access' },
            changeType: 'CREATE',
          },
        },
        configuration: roleConfiguration(name, roleId, arn),
        tags: {},
      },
      {
        scenario: 'IAM role under its AROA id',
        expectedEventId: eventIdOf(rec),
        expectedEventName: action,
        traps: [...b.traps],
      },
    ),
  );
};

const iamRoleCreate: EpisodeFn = (b, _world, t, serial) => {
  const { rng, account, region } = b;
  const name = uniqueName(rng, 'role', serial);
  const roleId = iamUniqueId(rng, 'AROA');
  const arn = `arn:aws:iam::${account.id}:role/${name}`;
  const caller = rng.pick(account.callers.terraform);
  const rec = b.add(
    t,
    record(b.ctx(t, caller), 'iam.amazonaws.com', 'CreateRole', {
      readOnly: false,
      region: GLOBAL_REGION,
      requestParameters: {
        roleName: name,
        assumeRolePolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
        tags: [{ key: 'managed-by', value: 'terraform' }],
      },
      responseElements: {
        role: {
          path: '/',
          roleName: name,
          roleId,
          arn,
          createDate: 'Nov 18, 2026, 9:00:00 AM',
          assumeRolePolicyDocument: '%7B%7D',
          tags: [{ key: 'managed-by', value: 'terraform' }],
        },
      },
    }),
  );
  const captureMs = t + captureDelay(rng) + 5_000;
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::IAM::Role',
        resourceId: roleId,
        resourceName: name,
        arn,
        awsRegion: 'global',
        captureMs,
        changeType: 'CREATE',
        changed: {},
        configuration: roleConfiguration(name, roleId, arn),
        tags: { 'managed-by': 'terraform' },
      },
      {
        scenario: 'creation (id in the response)',
        expectedEventId: eventIdOf(rec),
        expectedEventName: 'CreateRole',
        traps: [],
      },
    ),
  );
};

const rdsModify: EpisodeFn = (b, _world, t, serial) => {
  const { rng, account, region } = b;
  const name = uniqueName(rng, 'db', serial);
  const dbi = `db-${rng.upper(26)}`;
  const arn = `arn:aws:rds:${region}:${account.id}:db:${name}`;
  const rds = 'rds.amazonaws.com';
  const tagging = rng.chance(0.35);
  // People type identifiers in any case; RDS stores them in lower case.
  const typed = rng.chance(0.3) ? name.toUpperCase() : name;
  const rec = b.add(
    t,
    tagging
      ? record(b.ctx(t, changer(rng, account)), rds, 'AddTagsToResource', {
          readOnly: false,
          requestParameters: { resourceName: arn, tags: [{ key: 'cost-center', value: '4711' }] },
        })
      : record(b.ctx(t, changer(rng, account)), rds, 'ModifyDBInstance', {
          readOnly: false,
          requestParameters: {
            dBInstanceIdentifier: typed,
            dBInstanceClass: 'db.r6g.xlarge',
            applyImmediately: true,
          },
          responseElements: {
            dBInstanceIdentifier: name,
            dBInstanceClass: 'db.r6g.large',
            engine: 'postgres',
            dBInstanceStatus: 'available',
            masterUsername: 'app',
            endpoint: {
              address: `${name}.c${rng.hex(10)}.${region}.rds.amazonaws.com`,
              port: 5432,
              hostedZoneId: 'Z29XKXDKYMONMX',
            },
            allocatedStorage: 100,
            dbiResourceId: dbi,
            dBInstanceArn: arn,
            pendingModifiedValues: { dBInstanceClass: 'db.r6g.xlarge' },
            vpcSecurityGroups: [{ vpcSecurityGroupId: `sg-${rng.hex(17)}`, status: 'active' }],
            dBSubnetGroup: {
              dBSubnetGroupName: 'default',
              vpcId: `vpc-${rng.hex(17)}`,
              subnetGroupStatus: 'Complete',
            },
          },
        }),
  );
  const captureMs = t + captureDelay(rng);
  addTraps(
    b,
    t,
    captureMs,
    (c) =>
      record(c, rds, 'RebootDBInstance', {
        readOnly: false,
        requestParameters: { dBInstanceIdentifier: name },
      }),
    (c) =>
      record(c, rds, 'DescribeDBInstances', {
        readOnly: true,
        requestParameters: { dBInstanceIdentifier: name },
      }),
  );
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::RDS::DBInstance',
        resourceId: dbi,
        resourceName: name,
        arn,
        awsRegion: region,
        captureMs,
        changeType: 'UPDATE',
        changed: tagging
          ? {
              'SupplementaryConfiguration.Tags.0': {
                previousValue: null,
                updatedValue: { key: 'cost-center', value: '4711' },
                changeType: 'CREATE',
              },
            }
          : {
              'Configuration.PendingModifiedValues.DBInstanceClass': {
                previousValue: null,
                updatedValue: 'db.r6g.xlarge',
                changeType: 'CREATE',
              },
            },
        configuration: {
          dBInstanceIdentifier: name,
          dbiResourceId: dbi,
          dBInstanceArn: arn,
          dBInstanceClass: 'db.r6g.large',
          engine: 'postgres',
        },
        tags: tags(rng, name),
      },
      {
        scenario: 'RDS instance under its db- resource id',
        expectedEventId: eventIdOf(rec),
        expectedEventName: String(rec['eventName']),
        traps: [...b.traps],
      },
    ),
  );
};

const routeTableDisassociate: EpisodeFn = (b, world, t) => {
  const { rng, account, region } = b;
  const rtb = `rtb-${rng.hex(17)}`;
  const assoc = `rtbassoc-${rng.hex(17)}`;
  const subnet = `subnet-${rng.hex(17)}`;
  const vpc = `vpc-${rng.hex(17)}`;
  const caller = changer(rng, account);
  // The association was made hours before; the archive holds it when it started early enough.
  const associatedAt = t - rng.between(60, 360) * MINUTE;
  if (associatedAt > world.startMs) {
    b.add(
      associatedAt,
      record(b.ctx(associatedAt, caller), ec2, 'AssociateRouteTable', {
        readOnly: false,
        requestParameters: { routeTableId: rtb, subnetId: subnet },
        responseElements: {
          requestId: rng.uuid(),
          associationId: assoc,
          associationState: { state: 'associated' },
        },
      }),
    );
  }
  const rec = b.add(
    t,
    record(b.ctx(t, caller), ec2, 'DisassociateRouteTable', {
      readOnly: false,
      requestParameters: { associationId: assoc },
      responseElements: { requestId: rng.uuid(), _return: true },
    }),
  );
  const captureMs = t + captureDelay(rng);
  addTraps(
    b,
    t,
    captureMs,
    (c) =>
      record(c, ec2, 'DisassociateRouteTable', {
        readOnly: false,
        requestParameters: { associationId: assoc },
      }),
    (c) =>
      record(c, ec2, 'DescribeRouteTables', {
        readOnly: true,
        requestParameters: { routeTableIdSet: { items: [{ routeTableId: rtb }] }, filterSet: {} },
      }),
  );
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::EC2::RouteTable',
        resourceId: rtb,
        arn: `arn:aws:ec2:${region}:${account.id}:route-table/${rtb}`,
        awsRegion: region,
        captureMs,
        changeType: 'UPDATE',
        changed: {
          'Configuration.Associations.1': {
            previousValue: {
              main: false,
              routeTableAssociationId: assoc,
              routeTableId: rtb,
              subnetId: subnet,
              associationState: { state: 'associated' },
            },
            updatedValue: null,
            changeType: 'DELETE',
          },
        },
        configuration: {
          routeTableId: rtb,
          vpcId: vpc,
          associations: [
            { main: true, routeTableAssociationId: `rtbassoc-${rng.hex(17)}`, routeTableId: rtb },
          ],
          routes: [],
        },
        tags: tags(rng, rtb),
      },
      {
        scenario: 'route table by association id only',
        expectedEventId: eventIdOf(rec),
        expectedEventName: 'DisassociateRouteTable',
        traps: [...b.traps],
      },
    ),
  );
};

const bucketUpdate: EpisodeFn = (b, _world, t, serial) => {
  const { rng, account, region } = b;
  const bucket = `${uniqueName(rng, 'bucket', serial)}-${account.id}`;
  const arn = `arn:aws:s3:::${bucket}`;
  const s3 = 's3.amazonaws.com';
  const action = rng.pick([
    'PutBucketVersioning',
    'PutBucketPolicy',
    'PutBucketEncryption',
    'PutBucketPublicAccessBlock',
  ] as const);
  const call = (c: Ctx, name: string): Json =>
    record(c, s3, name, {
      readOnly: name.startsWith('Get'),
      s3: true,
      requestParameters: {
        bucketName: bucket,
        Host: `${bucket}.s3.${region}.amazonaws.com`,
        [name.slice(9, 10).toLowerCase() + name.slice(10)]: '',
      },
      additionalEventData: {
        SignatureVersion: 'SigV4',
        CipherSuite: 'TLS_AES_128_GCM_SHA256',
        bytesTransferredIn: 0,
        AuthenticationMethod: 'AuthHeader',
        'x-amz-id-2': rng.alnum(60),
        bytesTransferredOut: 0,
      },
      resources: [{ accountId: account.id, type: 'AWS::S3::Bucket', ARN: arn }],
    });
  const rec = b.add(t, call(b.ctx(t, changer(rng, account)), action));
  const captureMs = t + captureDelay(rng);
  addTraps(
    b,
    t,
    captureMs,
    (c) => call(c, 'PutBucketPolicy'),
    (c) => call(c, 'GetBucketPolicy'),
  );
  // Objects written to the bucket in the window: data events, never configuration changes.
  for (let i = 0; i < rng.between(0, 3); i++) {
    const at = t + rng.between(-120_000, Math.max(1_000, captureMs - t));
    const key = `uploads/${rng.hex(16)}.json`;
    b.trap(
      at,
      record(b.ctx(at, rng.pick(account.callers.roles)), s3, 'PutObject', {
        readOnly: false,
        s3: true,
        category: 'Data',
        requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, key },
        responseElements: { 'x-amz-server-side-encryption': 'AES256' },
        resources: [
          { type: 'AWS::S3::Object', ARN: `${arn}/${key}` },
          { accountId: account.id, type: 'AWS::S3::Bucket', ARN: arn },
        ],
      }),
    );
  }
  const property =
    action === 'PutBucketVersioning'
      ? 'SupplementaryConfiguration.BucketVersioningConfiguration.Status'
      : action === 'PutBucketPolicy'
        ? 'SupplementaryConfiguration.BucketPolicy.PolicyText'
        : action === 'PutBucketEncryption'
          ? 'SupplementaryConfiguration.ServerSideEncryptionConfiguration'
          : 'SupplementaryConfiguration.PublicAccessBlockConfiguration';
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::S3::Bucket',
        resourceId: bucket,
        resourceName: bucket,
        arn,
        awsRegion: region,
        captureMs,
        changeType: 'UPDATE',
        changed: { [property]: { previousValue: 'Off', updatedValue: 'Enabled', changeType: 'UPDATE' } },
        configuration: { name: bucket, owner: { id: rng.hex(64) }, creationDate: '2026-01-05T10:00:00.000Z' },
        tags: tags(rng, bucket),
      },
      {
        scenario: 'S3 bucket (resources set)',
        expectedEventId: eventIdOf(rec),
        expectedEventName: action,
        traps: [...b.traps],
      },
    ),
  );
};

const queueUpdate: EpisodeFn = (b, world, t, serial) => {
  const { rng, account, region } = b;
  const name = uniqueName(rng, 'queue', serial);
  const url = (acct: string): string => `https://sqs.${region}.amazonaws.com/${acct}/${name}`;
  const sqs = 'sqs.amazonaws.com';
  const set = (c: Ctx, acct: string): Json =>
    record(c, sqs, 'SetQueueAttributes', {
      readOnly: false,
      requestParameters: { queueUrl: url(acct), attributes: { MessageRetentionPeriod: '1209600' } },
    });
  const rec = b.add(t, set(b.ctx(t, changer(rng, account)), account.id));
  const captureMs = t + captureDelay(rng);
  addTraps(
    b,
    t,
    captureMs,
    (c) => set(c, account.id),
    (c) =>
      record(c, sqs, 'GetQueueAttributes', {
        readOnly: true,
        requestParameters: { queueUrl: url(account.id), attributeNames: ['All'] },
      }),
  );
  if (rng.chance(0.2)) {
    const other = otherAccount(rng, world, account);
    const at = t + rng.between(-60_000, 60_000);
    b.trap(at, set(b.ctx(at, changer(rng, other), other), other.id), other);
  }
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::SQS::Queue',
        resourceId: url(account.id),
        resourceName: name,
        arn: `arn:aws:sqs:${region}:${account.id}:${name}`,
        awsRegion: region,
        captureMs,
        changeType: 'UPDATE',
        changed: {
          'Configuration.MessageRetentionPeriod': {
            previousValue: '345600',
            updatedValue: '1209600',
            changeType: 'UPDATE',
          },
        },
        configuration: { QueueUrl: url(account.id), QueueName: name, MessageRetentionPeriod: '1209600' },
        tags: tags(rng, name),
      },
      {
        scenario: 'event without resources (SQS queue URL)',
        expectedEventId: eventIdOf(rec),
        expectedEventName: 'SetQueueAttributes',
        traps: [...b.traps],
      },
    ),
  );
};

const secretUpdate: EpisodeFn = (b, _world, t, serial) => {
  const { rng, account, region } = b;
  const name = `app/${uniqueName(rng, 'secret', serial)}`;
  const arn = `arn:aws:secretsmanager:${region}:${account.id}:secret:${name}-${rng.alnum(6)}`;
  const sm = 'secretsmanager.amazonaws.com';
  const byName = rng.chance(0.5);
  const rec = b.add(
    t,
    record(b.ctx(t, changer(rng, account)), sm, rng.pick(['UpdateSecret', 'TagResource']), {
      readOnly: false,
      requestParameters: { secretId: byName ? name : arn, description: 'rotated by hand' },
      responseElements: byName ? { arn, name } : null,
    }),
  );
  const captureMs = t + captureDelay(rng);
  addTraps(
    b,
    t,
    captureMs,
    (c) => record(c, sm, 'DeleteSecret', { readOnly: false, requestParameters: { secretId: arn } }),
    (c) => record(c, sm, 'GetSecretValue', { readOnly: true, requestParameters: { secretId: arn } }),
  );
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::SecretsManager::Secret',
        resourceId: arn,
        resourceName: name,
        arn,
        awsRegion: region,
        captureMs,
        changeType: 'UPDATE',
        changed: {
          'Configuration.Description': {
            previousValue: null,
            updatedValue: 'rotated by hand',
            changeType: 'CREATE',
          },
        },
        configuration: { Name: name, ARN: arn, Description: 'rotated by hand' },
        tags: tags(rng, name),
      },
      {
        scenario: 'secret by name or ARN',
        expectedEventId: eventIdOf(rec),
        expectedEventName: String(rec['eventName']),
        traps: [...b.traps],
      },
    ),
  );
};

const functionUpdate: EpisodeFn = (b, world, t, serial) => {
  const { rng, account, region } = b;
  const name = uniqueName(rng, 'fn', serial);
  const arn = (acct: string): string => `arn:aws:lambda:${region}:${acct}:function:${name}`;
  const lambda = 'lambda.amazonaws.com';
  const update = (c: Ctx, acct: string): Json =>
    record(c, lambda, 'UpdateFunctionConfiguration20150331v2', {
      readOnly: false,
      requestParameters: { functionName: name, memorySize: 1024 },
      responseElements: {
        functionName: name,
        functionArn: arn(acct),
        runtime: 'nodejs20.x',
        memorySize: 1024,
        state: 'Active',
        lastUpdateStatus: 'InProgress',
      },
    });
  // Several writers: an earlier update by someone else, with its own item.
  if (rng.chance(0.15)) {
    const earlier = t - rng.between(3 * MINUTE, 9 * MINUTE);
    const first = b.add(earlier, update(b.ctx(earlier, changer(rng, account)), account.id));
    const captureMs = Math.min(earlier + captureDelay(rng), t - 15_000);
    b.changes.push(
      change(
        rng,
        {
          account,
          recordingRegion: region,
          resourceType: 'AWS::Lambda::Function',
          resourceId: name,
          resourceName: name,
          arn: arn(account.id),
          awsRegion: region,
          captureMs,
          changeType: 'UPDATE',
          changed: {
            'Configuration.MemorySize': { previousValue: 512, updatedValue: 768, changeType: 'UPDATE' },
          },
          configuration: { functionName: name, functionArn: arn(account.id), memorySize: 768 },
          tags: {},
        },
        {
          scenario: 'several writers (first)',
          expectedEventId: eventIdOf(first),
          expectedEventName: 'UpdateFunctionConfiguration20150331v2',
          traps: [],
        },
      ),
    );
  }
  const rec = b.add(t, update(b.ctx(t, changer(rng, account)), account.id));
  const captureMs = t + captureDelay(rng);
  addTraps(
    b,
    t,
    captureMs,
    (c) => update(c, account.id),
    (c) =>
      record(c, lambda, 'GetFunction20150331v2', {
        readOnly: true,
        requestParameters: { functionName: name },
      }),
  );
  if (rng.chance(0.2)) {
    const other = otherAccount(rng, world, account);
    const at = t + rng.between(-60_000, 60_000);
    b.trap(at, update(b.ctx(at, changer(rng, other), other), other.id), other);
  }
  const several = b.changes.length > 0;
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::Lambda::Function',
        resourceId: name,
        resourceName: name,
        arn: arn(account.id),
        awsRegion: region,
        captureMs,
        changeType: 'UPDATE',
        changed: {
          'Configuration.MemorySize': { previousValue: 768, updatedValue: 1024, changeType: 'UPDATE' },
        },
        configuration: { functionName: name, functionArn: arn(account.id), memorySize: 1024 },
        tags: {},
      },
      {
        scenario: several ? 'several writers (second)' : 'event without resources (Lambda)',
        expectedEventId: eventIdOf(rec),
        expectedEventName: 'UpdateFunctionConfiguration20150331v2',
        traps: [...b.traps],
      },
    ),
  );
};

/** A change no event in the account explains: ELB gives its interface a new public address from its own account. */
const unexplained: EpisodeFn = (b, _world, t) => {
  const { rng, account, region } = b;
  const eni = `eni-${rng.hex(17)}`;
  const captureMs = t + captureDelay(rng);
  // Someone looks at the interface in the window: a read, never the cause.
  if (rng.chance(0.5)) {
    const at = t + rng.int(Math.max(1, captureMs - t));
    b.trap(
      at,
      record(b.ctx(at, changer(rng, account)), ec2, 'DescribeNetworkInterfaces', {
        readOnly: true,
        requestParameters: { networkInterfaceIdSet: { items: [{ networkInterfaceId: eni }] }, filterSet: {} },
      }),
    );
  }
  b.changes.push(
    change(
      rng,
      {
        account,
        recordingRegion: region,
        resourceType: 'AWS::EC2::NetworkInterface',
        resourceId: eni,
        arn: `arn:aws:ec2:${region}:${account.id}:network-interface/${eni}`,
        awsRegion: region,
        captureMs,
        changeType: 'UPDATE',
        changed: {
          'Configuration.Association.PublicIp': {
            previousValue: '198.51.100.7',
            updatedValue: '198.51.100.91',
            changeType: 'UPDATE',
          },
        },
        configuration: {
          networkInterfaceId: eni,
          interfaceType: 'interface',
          requesterId: 'amazon-elb',
          requesterManaged: true,
        },
        tags: {},
      },
      {
        scenario: 'no event explains it (change made by AWS)',
        expectedEventId: null,
        expectedEventName: null,
        traps: [...b.traps],
      },
    ),
  );
};

/** Weights of the episodes in the corpus. */
const EPISODES: readonly (readonly [number, string, EpisodeFn])[] = [
  [18, 'sg-ingress', sgIngress],
  [5, 'sg-create', sgCreate],
  [8, 'instance-update', instanceUpdate],
  [4, 'instance-create', instanceCreate],
  [12, 'iam-role-update', iamRoleUpdate],
  [3, 'iam-role-create', iamRoleCreate],
  [8, 'rds-modify', rdsModify],
  [7, 'route-table-disassociate', routeTableDisassociate],
  [10, 's3-bucket', bucketUpdate],
  [6, 'sqs-queue', queueUpdate],
  [5, 'secret', secretUpdate],
  [8, 'lambda-function', functionUpdate],
  [4, 'unexplained', unexplained],
];

/** One episode at time `t` in a random account (weighted) and region. */
export function makeEpisode(rng: Rng, world: EpisodeWorld, t: number, serial: number): Episode {
  const account = rng.weighted(world.accounts.map((a) => [a.weight, a] as const));
  const region = rng.weighted([
    [5, 'eu-west-1'],
    [3, 'us-east-1'],
    [2, 'eu-central-1'],
  ] as const);
  const fn = rng.weighted(EPISODES.map(([w, , f]) => [w, f] as const));
  const b = new Builder(rng, account, region);
  fn(b, world, t, serial);
  // A record must fall inside the archive: traps that would not are dropped.
  const records = b.records.filter((r) => r.timeMs >= world.startMs && r.timeMs < world.endMs);
  return { records, changes: b.changes };
}
