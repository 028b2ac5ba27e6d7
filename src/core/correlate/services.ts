/**
 * Which CloudTrail event source manages a Config resource type. Most are the type's service segment
 * in lower case (`AWS::EC2::VPC` → `ec2`); the table holds the ones that are not.
 */
const SERVICE_OF_NAMESPACE: ReadonlyMap<string, string> = new Map([
  ['ElasticLoadBalancingV2', 'elasticloadbalancing'],
  ['CloudWatch', 'monitoring'],
  ['OpenSearch', 'es'],
  ['Elasticsearch', 'es'],
  ['ApiGatewayV2', 'apigateway'],
  ['StepFunctions', 'states'],
  ['ShieldRegional', 'shield'],
  ['NetworkFirewall', 'network-firewall'],
  ['ElasticBeanstalk', 'elasticbeanstalk'],
  ['ACMPCA', 'acm-pca'],
  ['Cognito', 'cognito-idp'],
  ['EMR', 'elasticmapreduce'],
  ['MSK', 'kafka'],
  ['AmazonMQ', 'mq'],
  ['EventSchemas', 'schemas'],
  ['Route53Resolver', 'route53resolver'],
  ['WAFv2', 'wafv2'],
  ['WAFRegional', 'waf-regional'],
  ['SSM', 'ssm'],
  ['EFS', 'elasticfilesystem'],
  ['Events', 'events'],
  ['KinesisFirehose', 'firehose'],
]);

/** Services whose events are delivered in one region whatever the resource's region. */
const GLOBAL_SERVICES: ReadonlySet<string> = new Set([
  'iam',
  'sts',
  'cloudfront',
  'route53',
  'organizations',
  'waf',
  'shield',
  'globalaccelerator',
]);

/** `AWS::EC2::SecurityGroup` → `ec2`. */
export function serviceOfType(resourceType: string): string | undefined {
  const parts = resourceType.split('::');
  const namespace = parts[1];
  if (parts[0] !== 'AWS' || namespace === undefined || namespace === '') return undefined;
  return SERVICE_OF_NAMESPACE.get(namespace) ?? namespace.toLowerCase();
}

/** `ec2.amazonaws.com` → `ec2`. */
export function serviceOfSource(eventSource: string): string {
  const dot = eventSource.indexOf('.');
  return dot < 0 ? eventSource : eventSource.slice(0, dot);
}

export function isGlobalService(service: string): boolean {
  return GLOBAL_SERVICES.has(service);
}
