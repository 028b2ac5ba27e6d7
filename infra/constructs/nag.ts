/**
 * Acknowledging cdk-nag findings (cdk-nag 3 reads CDK's `Validations.of(scope).acknowledge()`), each with
 * its reason. IAM5 findings are per resource (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]`); the id is
 * computed from the resource as cdk-nag flattens it, so the construct library needs no cdk-nag at run time.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A resolved CloudFormation value as cdk-nag prints it: `<Logical.Arn>`, `<AWS::Partition>`, joins joined. */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (isObject(value)) {
    const join = value['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (value['Fn::Sub'] !== undefined) return flattenReference(value['Fn::Sub']);
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flattenReference(getAtt[0])}.${flattenReference(getAtt[1])}>`;
    if (value['Fn::ImportValue'] !== undefined) return flattenReference(value['Fn::ImportValue']);
    if (value['Ref'] !== undefined) return `<${flattenReference(value['Ref'])}>`;
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges AwsSolutions-IAM5 for each wildcard `resources` entry of a policy under `scope`.
 * `resources` are the values given to the PolicyStatement (tokens are resolved here).
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  const stack = Stack.of(scope);
  for (const resource of resources) {
    const flat = flattenReference(stack.resolve(resource));
    if (!flat.includes('*')) continue;
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
  }
}
