/** Shared fixtures of the infrastructure tests: configurations, and reading policies out of a template. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { findProjectRoot, HANDLER_NAMES } from '../../infra/bundle.js';
import { type CloudBlameConfig, parseConfig } from '../../src/core/config/schema.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const SLACK_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cloudblame/slack-AbCdEf`;
/** A partial ARN (no random suffix): the grant must cover the suffix. */
export const TEAMS_SECRET_PARTIAL_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cloudblame/teams`;
export const ALERTS_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:security-alerts`;

/**
 * The infrastructure tests bundle the real handlers. Without them there is nothing to deploy, and the
 * failure says which file is missing rather than a bundling error.
 */
export function requireHandlers(): void {
  const root = findProjectRoot();
  const missing = HANDLER_NAMES.filter((name) => !existsSync(join(root, 'src', 'lambda', `${name}.ts`)));
  if (missing.length > 0) {
    throw new Error(
      `the infrastructure tests bundle the Lambda handlers, but ${missing.map((name) => `src/lambda/${name}.ts`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist`,
    );
  }
}

/** A configuration using every feature the construct reads: channels, secrets, resource types, rules. */
export function richConfig(): CloudBlameConfig {
  return parseConfig(
    {
      version: 1,
      resourceTypes: {
        include: ['AWS::EC2::*', 'AWS::IAM::Role', 'AWS::S3::Bucket'],
        exclude: ['AWS::EC2::NetworkInterface'],
      },
      notifications: {
        channels: [
          { name: 'slack', type: 'slack', url: { secretArn: SLACK_SECRET_ARN } },
          { name: 'teams', type: 'teams', url: { secretArn: TEAMS_SECRET_PARTIAL_ARN }, kinds: ['alert'] },
          { name: 'security', type: 'sns', topicArn: ALERTS_TOPIC_ARN, minSeverity: 'high' },
        ],
      },
      rules: {
        disable: ['signin.*'],
        custom: [
          {
            id: 'custom.secret-deleted',
            title: 'Secret scheduled for deletion',
            severity: 'medium',
            description:
              'A Secrets Manager secret was scheduled for deletion. Check that nothing still reads it.',
            pattern: {
              source: ['aws.secretsmanager'],
              'detail-type': ['AWS API Call via CloudTrail'],
              detail: { eventName: ['DeleteSecret'], errorCode: [{ exists: false }] },
            },
          },
        ],
      },
    },
    'test configuration',
  );
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

function resources(template: Template): Record<string, Resource> {
  return (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
}

/** The logical id of the one resource of `type` whose logical id contains `fragment`. */
export function logicalId(template: Template, type: string, fragment: string): string {
  const ids = Object.entries(resources(template))
    .filter(([id, resource]) => resource.Type === type && id.includes(fragment))
    .map(([id]) => id);
  if (ids.length !== 1)
    throw new Error(`expected one ${type} matching "${fragment}", found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

function refersTo(value: unknown, id: string): boolean {
  return JSON.stringify(value).includes(`"${id}"`);
}

/** Every statement of the IAM policies attached to the role of the function `functionId`. */
export function roleStatements(template: Template, functionId: string): Statement[] {
  const all = resources(template);
  const fn = all[functionId];
  if (fn === undefined) throw new Error(`no resource ${functionId}`);
  const roleRef = fn.Properties?.['Role'];
  const roleId = Object.keys(all).find((id) => all[id]?.Type === 'AWS::IAM::Role' && refersTo(roleRef, id));
  if (roleId === undefined) throw new Error(`no role for ${functionId}`);
  const role = all[roleId];
  if ((role?.Properties?.['ManagedPolicyArns'] as unknown[] | undefined)?.length) {
    throw new Error(`${roleId} has managed policies`);
  }
  return Object.values(all)
    .filter(
      (resource) => resource.Type === 'AWS::IAM::Policy' && refersTo(resource.Properties?.['Roles'], roleId),
    )
    .flatMap(
      (resource) =>
        (resource.Properties?.['PolicyDocument'] as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
}

/** Each action granted, with the resources it is granted on (flattened to JSON strings). */
export function actionsOf(statements: readonly Statement[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    const targets = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const action of actions) {
      out.set(action, [...(out.get(action) ?? []), ...targets.map((target) => JSON.stringify(target))]);
    }
  }
  return out;
}
