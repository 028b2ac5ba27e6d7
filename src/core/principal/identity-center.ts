/**
 * IAM Identity Center provisions one role per permission set and account, named
 * `AWSReservedSSO_<PermissionSet>_<16 hex digits>`; the session name is the user's name.
 */
const reservedRole = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/i;

export function permissionSetOfRole(roleName: string): string | undefined {
  return reservedRole.exec(roleName)?.[1];
}
