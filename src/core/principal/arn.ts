/** The parts of the ARNs found in userIdentity that a display needs. Malformed ARNs yield undefined. */

interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly accountId: string;
  readonly resource: string;
}

export function splitArn(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', , accountId = ''] = parts;
  return { partition, service, accountId, resource: parts.slice(5).join(':') };
}

export function accountOfArn(arn: string): string | undefined {
  const accountId = splitArn(arn)?.accountId;
  return accountId === undefined || accountId === '' ? undefined : accountId;
}

/** `arn:aws:sts::123:assumed-role/Role/session`; session names cannot contain `/`, role names here carry no path. */
export function parseAssumedRoleArn(arn: string): { roleName: string; sessionName?: string } | undefined {
  const resource = splitArn(arn)?.resource;
  if (resource === undefined || !resource.startsWith('assumed-role/')) return undefined;
  const [roleName, ...session] = resource.slice('assumed-role/'.length).split('/');
  if (roleName === undefined || roleName === '') return undefined;
  const sessionName = session.join('/');
  return sessionName === '' ? { roleName } : { roleName, sessionName };
}

/** `arn:aws:sts::123:federated-user/bob`. */
export function parseFederatedUserArn(arn: string): string | undefined {
  const resource = splitArn(arn)?.resource;
  if (resource === undefined || !resource.startsWith('federated-user/')) return undefined;
  const name = resource.slice('federated-user/'.length);
  return name === '' ? undefined : name;
}

/** The last path segment of an IAM ARN (`role/aws-reserved/sso.amazonaws.com/eu-west-1/Name` -> `Name`). */
export function lastSegmentOfArn(arn: string): string | undefined {
  const resource = splitArn(arn)?.resource;
  if (resource === undefined) return undefined;
  const last = resource.split('/').at(-1);
  return last === undefined || last === '' ? undefined : last;
}

/** Service-linked roles live under this path; they act only for an AWS service. */
export function isServiceLinkedRoleArn(arn: string): boolean {
  return splitArn(arn)?.resource.startsWith('role/aws-service-role/') ?? false;
}
