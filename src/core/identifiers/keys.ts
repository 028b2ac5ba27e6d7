/**
 * Which request/response keys hold a resource's name (rather than an id recognisable by shape), and
 * which keys hold documents or free text that must not be mined for identifiers.
 */

export interface KeyRule {
  /** The Config resource type the value names, when the key tells it. */
  readonly type?: string;
  /** The service stores the value in lower case (RDS identifiers), so index it that way. */
  readonly lower?: boolean;
  /** Generic keys (`name`) only name the event's subject at the top of requestParameters. */
  readonly topLevelOnly?: boolean;
  /** An SQS queue URL: also index the queue name it ends with. */
  readonly queueUrl?: boolean;
}

const rule = (type?: string, extra?: Omit<KeyRule, 'type'>): KeyRule =>
  type === undefined ? { ...extra } : { type, ...extra };

/** Keys that name a resource whatever the service. */
const ANY_SERVICE: ReadonlyMap<string, KeyRule> = new Map([
  ['roleName', rule('AWS::IAM::Role')],
  ['policyArn', rule('AWS::IAM::Policy')],
  ['instanceProfileName', rule('AWS::IAM::InstanceProfile')],
  ['bucketName', rule('AWS::S3::Bucket')],
  ['dBInstanceIdentifier', rule('AWS::RDS::DBInstance', { lower: true })],
  ['sourceDBInstanceIdentifier', rule('AWS::RDS::DBInstance', { lower: true })],
  ['dBClusterIdentifier', rule('AWS::RDS::DBCluster', { lower: true })],
  ['dBSubnetGroupName', rule('AWS::RDS::DBSubnetGroup', { lower: true })],
  ['dBSnapshotIdentifier', rule('AWS::RDS::DBSnapshot', { lower: true })],
  ['dBClusterSnapshotIdentifier', rule('AWS::RDS::DBClusterSnapshot', { lower: true })],
  ['functionName', rule('AWS::Lambda::Function')],
  ['secretId', rule('AWS::SecretsManager::Secret')],
  ['queueUrl', rule('AWS::SQS::Queue', { queueUrl: true })],
  ['QueueUrl', rule('AWS::SQS::Queue', { queueUrl: true })],
  ['queueName', rule('AWS::SQS::Queue')],
  ['QueueName', rule('AWS::SQS::Queue')],
  ['topicArn', rule('AWS::SNS::Topic')],
  ['TopicArn', rule('AWS::SNS::Topic')],
  ['keyId', rule('AWS::KMS::Key')],
  ['kmsKeyId', rule('AWS::KMS::Key')],
  ['targetKeyId', rule('AWS::KMS::Key')],
  ['tableName', rule('AWS::DynamoDB::Table')],
  ['logGroupName', rule('AWS::Logs::LogGroup')],
  ['trailName', rule('AWS::CloudTrail::Trail')],
  ['repositoryName', rule()],
  ['clusterName', rule()],
  ['stackName', rule('AWS::CloudFormation::Stack')],
  ['loadBalancerName', rule()],
  ['autoScalingGroupName', rule('AWS::AutoScaling::AutoScalingGroup')],
  ['launchTemplateName', rule('AWS::EC2::LaunchTemplate')],
  ['alarmName', rule('AWS::CloudWatch::Alarm')],
  ['restApiId', rule('AWS::ApiGateway::RestApi')],
  ['stateMachineArn', rule('AWS::StepFunctions::StateMachine')],
  ['name', rule(undefined, { topLevelOnly: true })],
]);

/** Keys whose meaning depends on the service (`groupName` is an IAM group or a security group). */
const BY_SERVICE: ReadonlyMap<string, ReadonlyMap<string, KeyRule>> = new Map([
  [
    'iam',
    new Map([
      ['userName', rule('AWS::IAM::User')],
      ['groupName', rule('AWS::IAM::Group')],
      ['policyName', rule('AWS::IAM::Policy')],
    ]),
  ],
  [
    'ec2',
    new Map([
      // Nested group names are references (`default` in every RunInstances response), not subjects.
      ['groupName', rule('AWS::EC2::SecurityGroup', { topLevelOnly: true })],
      ['launchTemplateName', rule('AWS::EC2::LaunchTemplate')],
    ]),
  ],
  ['secretsmanager', new Map([['name', rule('AWS::SecretsManager::Secret', { topLevelOnly: true })]])],
  ['cloudtrail', new Map([['name', rule('AWS::CloudTrail::Trail', { topLevelOnly: true })]])],
  ['sns', new Map([['name', rule('AWS::SNS::Topic', { topLevelOnly: true })]])],
  ['codebuild', new Map([['name', rule('AWS::CodeBuild::Project', { topLevelOnly: true })]])],
  ['states', new Map([['name', rule('AWS::StepFunctions::StateMachine', { topLevelOnly: true })]])],
  [
    'eks',
    new Map([
      ['name', rule('AWS::EKS::Cluster', { topLevelOnly: true })],
      ['clusterName', rule('AWS::EKS::Cluster')],
    ]),
  ],
  [
    'ecs',
    new Map([
      ['clusterName', rule('AWS::ECS::Cluster')],
      ['cluster', rule('AWS::ECS::Cluster')],
    ]),
  ],
  ['ecr', new Map([['repositoryName', rule('AWS::ECR::Repository')]])],
  ['elasticloadbalancing', new Map([['loadBalancerName', rule('AWS::ElasticLoadBalancing::LoadBalancer')]])],
  ['cloudfront', new Map([['id', rule('AWS::CloudFront::Distribution', { topLevelOnly: true })]])],
  // Only in Route 53 calls: RDS and ELB responses carry the AWS-owned zone of their endpoint.
  ['route53', new Map([['hostedZoneId', rule('AWS::Route53::HostedZone')]])],
]);

const NO_RULES: ReadonlyMap<string, KeyRule> = new Map();

/** The service-specific rules of an event source (`iam.amazonaws.com` → the iam rules). */
export function serviceRules(eventSource: string): ReadonlyMap<string, KeyRule> {
  const dot = eventSource.indexOf('.');
  return BY_SERVICE.get(dot < 0 ? eventSource : eventSource.slice(0, dot)) ?? NO_RULES;
}

export function keyRule(service: ReadonlyMap<string, KeyRule>, key: string): KeyRule | undefined {
  return service.get(key) ?? ANY_SERVICE.get(key);
}

/**
 * Documents, secrets, free text and tags: never identifiers of the event's subject, and a policy
 * document's ARNs would index the event under every resource the policy mentions.
 */
export const SKIPPED_KEYS: ReadonlySet<string> = new Set([
  'policyDocument',
  'PolicyDocument',
  'assumeRolePolicyDocument',
  'bucketPolicy',
  'policy',
  'Policy',
  'keyPolicy',
  'resourcePolicy',
  'userData',
  'UserData',
  'description',
  'Description',
  'groupDescription',
  'tags',
  'Tags',
  'tagSet',
  'TagSet',
  'tagList',
  'TagList',
  'tagSpecificationSet',
  'tagSpecifications',
  'Tagging',
  'tagging',
  'requestId',
  'clientToken',
  'clientRequestToken',
  'masterUserPassword',
  'secretString',
  'SecretString',
  'secretBinary',
  'environment',
  'Environment',
  'templateBody',
  'TemplateBody',
  'templateURL',
  'content',
  'Content',
  'code',
  'Code',
]);
