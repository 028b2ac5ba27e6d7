/**
 * AWS console links. Every component taken from an event or a configuration item is URL-encoded,
 * and a region that does not look like one never becomes part of a host name.
 */

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** Where a resource lives, as a Config item names it. */
export interface ResourceLocator {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly arn?: string;
  /** A region, or `global` for IAM and other global resources. */
  readonly awsRegion: string;
}

export interface LinkOptions {
  /**
   * The region whose Config console shows global resources (the one that records them). Defaults
   * to the partition's home region: us-east-1, cn-north-1, us-gov-west-1.
   */
  readonly globalResourceRegion?: string;
}

const CONSOLE_DOMAIN: Record<Partition, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

const HOME_REGION: Record<Partition, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function isRegion(value: string): boolean {
  return REGION.test(value);
}

export function partitionFromRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function partitionFromArn(arn: string): Partition | undefined {
  const partition = /^arn:([a-z-]+):/.exec(arn)?.[1];
  return partition === 'aws' || partition === 'aws-cn' || partition === 'aws-us-gov' ? partition : undefined;
}

export function consoleDomain(partition: Partition): string {
  return CONSOLE_DOMAIN[partition];
}

function partitionOf(where: { readonly awsRegion: string; readonly arn?: string }): Partition {
  const fromArn = where.arn === undefined ? undefined : partitionFromArn(where.arn);
  return isRegion(where.awsRegion) ? partitionFromRegion(where.awsRegion) : (fromArn ?? 'aws');
}

/** The region to open the console in: the resource's own, or the home region for global ones. */
export function consoleRegion(
  where: { readonly awsRegion: string; readonly arn?: string },
  options: LinkOptions = {},
): string {
  if (isRegion(where.awsRegion)) return where.awsRegion;
  const partition = partitionOf(where);
  const global = options.globalResourceRegion;
  const usable = global !== undefined && isRegion(global) && partitionFromRegion(global) === partition;
  return usable ? global : HOME_REGION[partition];
}

/** RFC 3986 strict: also `!'()*`, which would end a Markdown link or a quoted attribute. */
function enc(component: string): string {
  return encodeURIComponent(component).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function regionalBase(region: string): string {
  return `https://${region}.${CONSOLE_DOMAIN[partitionFromRegion(region)]}`;
}

function globalBase(partition: Partition): string {
  return `https://${CONSOLE_DOMAIN[partition]}`;
}

/** The Config resource timeline: every recorded change of the resource, with its CloudTrail events. */
export function configTimelineUrl(resource: ResourceLocator, options: LinkOptions = {}): string {
  const region = consoleRegion(resource, options);
  return `${regionalBase(region)}/config/home?region=${region}#/resources/timeline?resourceId=${enc(resource.resourceId)}&resourceType=${enc(resource.resourceType)}`;
}

/** The Config resource details page: the fallback when there is no better console page. */
export function configResourceUrl(resource: ResourceLocator, options: LinkOptions = {}): string {
  const region = consoleRegion(resource, options);
  return `${regionalBase(region)}/config/home?region=${region}#/resources/details?resourceId=${enc(resource.resourceId)}&resourceType=${enc(resource.resourceType)}`;
}

/** The CloudTrail event history page of one event, in the region the event was recorded in. */
export function cloudTrailEventUrl(event: { readonly awsRegion: string; readonly eventId: string }): string {
  const region = consoleRegion(event);
  return `${regionalBase(region)}/cloudtrailv2/home?region=${region}#/events/${enc(event.eventId)}`;
}

/** The last segment of an ARN's resource part: the name of a role, user or secret. */
function nameFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const resource = arn.split(':').slice(5).join(':');
  const name = resource.split('/').pop();
  return name === undefined || name === '' ? undefined : name;
}

type DeepLink = (r: ResourceLocator, region: string, partition: Partition) => string | undefined;

function ec2(fragment: string): DeepLink {
  return (r, region) => `${regionalBase(region)}/ec2/home?region=${region}#${fragment}=${enc(r.resourceId)}`;
}

function vpc(fragment: string): DeepLink {
  return (r, region) =>
    `${regionalBase(region)}/vpcconsole/home?region=${region}#${fragment}=${enc(r.resourceId)}`;
}

function iam(section: string): DeepLink {
  return (r, _region, partition) => {
    const name = r.resourceName ?? nameFromArn(r.arn);
    return name === undefined
      ? undefined
      : `${globalBase(partition)}/iam/home#/${section}/details/${enc(name)}`;
  };
}

function rds(isCluster: boolean): DeepLink {
  // Config's resourceId is the `db-`/`cluster-` resource id; the console wants the identifier (the name).
  return (r, region) =>
    r.resourceName === undefined
      ? undefined
      : `${regionalBase(region)}/rds/home?region=${region}#database:id=${enc(r.resourceName)};is-cluster=${isCluster}`;
}

const DEEP_LINKS: Readonly<Record<string, DeepLink>> = {
  'AWS::EC2::SecurityGroup': ec2('SecurityGroup:groupId'),
  'AWS::EC2::Instance': ec2('InstanceDetails:instanceId'),
  'AWS::EC2::Volume': ec2('VolumeDetails:volumeId'),
  'AWS::EC2::NetworkInterface': ec2('NetworkInterface:networkInterfaceId'),
  'AWS::EC2::EIP': ec2('ElasticIpDetails:AllocationId'),
  'AWS::EC2::VPC': vpc('VpcDetails:VpcId'),
  'AWS::EC2::Subnet': vpc('SubnetDetails:subnetId'),
  'AWS::EC2::RouteTable': vpc('RouteTableDetails:RouteTableId'),
  'AWS::EC2::InternetGateway': vpc('InternetGateway:internetGatewayId'),
  'AWS::EC2::NatGateway': vpc('NatGatewayDetails:natGatewayId'),
  'AWS::EC2::NetworkAcl': vpc('NetworkAclDetails:networkAclId'),
  'AWS::S3::Bucket': (r, region, partition) =>
    `${globalBase(partition)}/s3/buckets/${enc(r.resourceName ?? r.resourceId)}?region=${region}`,
  'AWS::IAM::Role': iam('roles'),
  'AWS::IAM::User': iam('users'),
  'AWS::IAM::Group': iam('groups'),
  'AWS::IAM::Policy': (r, _region, partition) =>
    r.arn === undefined ? undefined : `${globalBase(partition)}/iam/home#/policies/details/${enc(r.arn)}`,
  'AWS::RDS::DBInstance': rds(false),
  'AWS::RDS::DBCluster': rds(true),
  'AWS::Lambda::Function': (r, region) =>
    `${regionalBase(region)}/lambda/home?region=${region}#/functions/${enc(r.resourceName ?? r.resourceId)}`,
  'AWS::SecretsManager::Secret': (r, region) => {
    const name = r.resourceName ?? nameFromArn(r.arn);
    return name === undefined
      ? undefined
      : `${regionalBase(region)}/secretsmanager/secret?name=${enc(name)}&region=${region}`;
  },
  'AWS::KMS::Key': (r, region) =>
    `${regionalBase(region)}/kms/home?region=${region}#/kms/keys/${enc(r.resourceId)}`,
  'AWS::DynamoDB::Table': (r, region) =>
    `${regionalBase(region)}/dynamodbv2/home?region=${region}#table?name=${enc(r.resourceName ?? r.resourceId)}`,
  'AWS::CloudTrail::Trail': (r, region) =>
    r.arn === undefined
      ? undefined
      : `${regionalBase(region)}/cloudtrailv2/home?region=${region}#/trails/${enc(r.arn)}`,
  'AWS::CloudFront::Distribution': (r, _region, partition) =>
    `${globalBase(partition)}/cloudfront/v4/home#/distributions/${enc(r.resourceId)}`,
  'AWS::Route53::HostedZone': (r, _region, partition) =>
    `${globalBase(partition)}/route53/v2/hostedzones#ListRecordSets/${enc(r.resourceId)}`,
};

/** The resource's own console page for the common types; the Config resource page otherwise. */
export function resourceConsoleUrl(resource: ResourceLocator, options: LinkOptions = {}): string {
  const region = consoleRegion(resource, options);
  const deep = DEEP_LINKS[resource.resourceType]?.(resource, region, partitionFromRegion(region));
  return deep ?? configResourceUrl(resource, options);
}

/** The S3 console page of an object given as `s3://bucket/key` (an oversized item's delivery). */
export function s3ObjectUrl(s3Uri: string, region: string): string | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(s3Uri);
  if (!match?.[1] || !match[2]) return undefined;
  const where = consoleRegion({ awsRegion: region });
  return `${globalBase(partitionFromRegion(where))}/s3/object/${enc(match[1])}?region=${where}&prefix=${enc(match[2])}`;
}

/**
 * A URL that can go into a Slack `<url|label>`, a Teams action or an email as is: https, and none
 * of the characters that would end or split the link.
 */
export function isSafeLink(url: string): boolean {
  return /^https:\/\/[^\s<>|"'`\\()[\]{}]+$/.test(url);
}
