import type { Channel, PrincipalType } from '../model.js';
import { isServiceLinkedRoleArn } from './arn.js';
import { isTrueFlag } from './read.js';

export interface ChannelInput {
  readonly userAgent?: string | undefined;
  /** A string ("true") in real records, a boolean once parsed. */
  readonly sessionCredentialFromConsole?: boolean | string | undefined;
  readonly sourceIPAddress?: string | undefined;
  readonly eventSource?: string | undefined;
  /** userIdentity.invokedBy: the service that made the call for the principal. */
  readonly invokedBy?: string | undefined;
  readonly principalType?: PrincipalType | undefined;
  /** sessionIssuer.arn, to recognise service-linked roles. */
  readonly roleArn?: string | undefined;
}

const terraformAgent = /Terraform\/|terraform-provider-aws/i;
const cloudFormationAgent = /(^|[\s,])cloudformation\.amazonaws\.com\b|AWSCloudFormation/i;
// Console front ends call APIs with their own agents ("S3Console/0.4, aws-internal/3 ...", "RDS Console, ...").
const consoleAgent = /^(Mozilla\/|AWS Internal$|[\w ]*Console)|aws-internal\//;
const cliAgent = /(^|\s)aws-cli\/|AWSPowerShell|aws-powershell/i;
const sdkAgent = /aws-sdk-|(^|\s)aws-sdk\/|Boto3\/|Botocore\//i;
const serviceHost = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/i;
const consoleHost = /^(console|signin)(\.[a-z0-9-]+)*\.amazonaws\.com$|\.console\.aws\.amazon\.com$/i;

/** CloudTrail wraps some user agents in brackets, e.g. `[aws-cli/1.18.136 ...]`. */
function unwrapAgent(userAgent: string | undefined): string | undefined {
  const trimmed = userAgent?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  return trimmed.replace(/^\[/, '').replace(/\]$/, '').trim();
}

/**
 * What a service name in `invokedBy`, `sourceIPAddress` or a bare user agent says about the channel:
 * "AWS Internal" and console hosts are the console, CloudFormation is IaC, any other service host acted itself.
 */
function channelOfServiceName(name: string | undefined): Channel | undefined {
  if (name === undefined) return undefined;
  if (name === 'AWS Internal' || consoleHost.test(name)) return 'console';
  if (/^cloudformation\.amazonaws\.com(\.cn)?$/i.test(name)) return 'cloudformation';
  if (serviceHost.test(name)) return 'aws-service';
  return undefined;
}

/**
 * How the call was made. The service that acted (invokedBy) outranks the user agent, because a service
 * acting for a principal forwards a user agent of its own; Terraform outranks the generic SDK it embeds.
 */
export function classifyChannel(input: ChannelInput): Channel {
  const agent = unwrapAgent(input.userAgent);
  const invoked = channelOfServiceName(input.invokedBy?.trim());
  if (invoked !== undefined) return invoked;
  if (input.principalType === 'AWSService') {
    return agent !== undefined && cloudFormationAgent.test(agent) ? 'cloudformation' : 'aws-service';
  }
  if (input.roleArn !== undefined && isServiceLinkedRoleArn(input.roleArn)) return 'aws-service';
  if (agent !== undefined && terraformAgent.test(agent)) return 'terraform';
  if (agent !== undefined && cloudFormationAgent.test(agent)) return 'cloudformation';
  if (channelOfServiceName(input.sourceIPAddress?.trim()) === 'cloudformation') return 'cloudformation';
  if (isTrueFlag(input.sessionCredentialFromConsole)) return 'console';
  if (agent !== undefined && consoleAgent.test(agent)) return 'console';
  if (input.eventSource === 'signin.amazonaws.com') return 'console';
  const byAgentHost = channelOfServiceName(agent);
  if (byAgentHost !== undefined) return byAgentHost;
  if (agent !== undefined && cliAgent.test(agent)) return 'cli';
  if (agent !== undefined && sdkAgent.test(agent)) return 'sdk';
  return channelOfServiceName(input.sourceIPAddress?.trim()) ?? 'unknown';
}
