/**
 * Recognising AWS resource ids by their shape. Runs on every string of every write event, so it
 * uses a map lookup and a character loop, never a regular expression.
 */

/** Returned for a value that is an id whose resource type cannot be told (an association id, say). */
export const UNTYPED = '';

/** EC2-family ids: `<prefix>-` then lowercase hex (8 or 17 digits in practice). */
const HEX_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['vpc', 'AWS::EC2::VPC'],
  ['subnet', 'AWS::EC2::Subnet'],
  ['sg', 'AWS::EC2::SecurityGroup'],
  ['sgr', UNTYPED],
  ['eni', 'AWS::EC2::NetworkInterface'],
  ['i', 'AWS::EC2::Instance'],
  ['vol', 'AWS::EC2::Volume'],
  ['snap', UNTYPED],
  ['ami', UNTYPED],
  ['rtb', 'AWS::EC2::RouteTable'],
  ['rtbassoc', UNTYPED],
  ['igw', 'AWS::EC2::InternetGateway'],
  ['eigw', 'AWS::EC2::EgressOnlyInternetGateway'],
  ['nat', 'AWS::EC2::NatGateway'],
  ['acl', 'AWS::EC2::NetworkAcl'],
  ['aclassoc', UNTYPED],
  ['eipalloc', 'AWS::EC2::EIP'],
  ['eipassoc', UNTYPED],
  ['lt', 'AWS::EC2::LaunchTemplate'],
  ['pcx', 'AWS::EC2::VPCPeeringConnection'],
  ['tgw', 'AWS::EC2::TransitGateway'],
  ['vpce', 'AWS::EC2::VPCEndpoint'],
  ['dopt', 'AWS::EC2::DHCPOptions'],
  ['vgw', 'AWS::EC2::VPNGateway'],
  ['cgw', 'AWS::EC2::CustomerGateway'],
  ['vpn', 'AWS::EC2::VPNConnection'],
  ['fl', 'AWS::EC2::FlowLog'],
  ['cr', 'AWS::EC2::CapacityReservation'],
  ['fs', 'AWS::EFS::FileSystem'],
  ['fsap', 'AWS::EFS::AccessPoint'],
]);

/** Ids with two-word prefixes, e.g. `tgw-attach-0abc...`. */
const COMPOUND_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['tgw-attach', 'AWS::EC2::TransitGatewayAttachment'],
  ['tgw-rtb', 'AWS::EC2::TransitGatewayRouteTable'],
  ['vpce-svc', 'AWS::EC2::VPCEndpointService'],
]);

/** RDS resource ids: `db-` / `cluster-` then base32 in upper case (26 characters in practice). */
const UPPER_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['db', 'AWS::RDS::DBInstance'],
  ['cluster', 'AWS::RDS::DBCluster'],
]);

/** IAM unique ids: four letters then upper-case alphanumerics, 16 to 32 characters in all. */
const IAM_UNIQUE_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['AROA', 'AWS::IAM::Role'],
  ['AIDA', 'AWS::IAM::User'],
  ['ANPA', 'AWS::IAM::Policy'],
  ['AGPA', 'AWS::IAM::Group'],
  ['AIPA', 'AWS::IAM::InstanceProfile'],
]);

function isLowerHex(s: string, from: number): boolean {
  const n = s.length - from;
  if (n < 8 || n > 32) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function isUpperAlnum(s: string, from: number, min: number, max: number): boolean {
  const n = s.length - from;
  if (n < min || n > max) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return true;
}

/**
 * The resource type of an AWS id, `UNTYPED` for an id of no Config type, or undefined when the value
 * is not an id at all.
 */
export function idTypeOf(value: string): string | undefined {
  const n = value.length;
  if (n < 10 || n > 64) return undefined;
  if (value.charCodeAt(0) === 65 /* A */) {
    const type = IAM_UNIQUE_PREFIXES.get(value.slice(0, 4));
    return type !== undefined && isUpperAlnum(value, 4, 12, 28) ? type : undefined;
  }
  const dash = value.indexOf('-');
  if (dash < 1 || dash > 8) return undefined;
  const prefix = value.slice(0, dash);
  const hexType = HEX_PREFIXES.get(prefix);
  if (hexType !== undefined) {
    if (isLowerHex(value, dash + 1)) return hexType;
    const second = value.indexOf('-', dash + 1);
    if (second < 0) return undefined;
    const compound = COMPOUND_PREFIXES.get(value.slice(0, second));
    return compound !== undefined && isLowerHex(value, second + 1) ? compound : undefined;
  }
  const upperType = UPPER_PREFIXES.get(prefix);
  if (upperType !== undefined && isUpperAlnum(value, dash + 1, 10, 40)) return upperType;
  return undefined;
}
