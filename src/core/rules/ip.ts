/**
 * IPv4 and IPv6 addresses and CIDR blocks as big integers, for the `cidr` pattern operator and for the
 * rules that look at security group ranges. Pure string parsing: no DNS, no `node:net`.
 */

export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

export interface CidrBlock {
  readonly version: 4 | 6;
  readonly prefixLength: number;
  /** The address as written: EventBridge's range starts here, not at the network address. */
  readonly low: bigint;
  /** `low` with every host bit set. */
  readonly high: bigint;
  /** False when host bits are set (`10.0.0.5/24`): write the network address instead. */
  readonly canonical: boolean;
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const hexGroup = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | undefined {
  const parts = ipv4.exec(text);
  if (parts === null) return undefined;
  let value = 0n;
  for (const part of parts.slice(1)) {
    // Leading zeros are read as decimal, as Java's InetAddress (and EventBridge) reads them.
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function groupsOf(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const pieces = text.split(':');
  for (const [index, piece] of pieces.entries()) {
    if (index === pieces.length - 1 && piece.includes('.')) {
      const tail = parseIpv4(piece);
      if (tail === undefined) return undefined;
      groups.push(tail >> 16n, tail & 0xffffn);
    } else if (hexGroup.test(piece)) {
      groups.push(BigInt(Number.parseInt(piece, 16)));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array.from({ length: missing }, () => 0n), ...tail];
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** A CIDR block, or a sentence saying what is wrong with it. */
export function parseCidr(text: string): CidrBlock | string {
  const slashed = text.split('/');
  if (slashed.length !== 2) return 'a CIDR block needs exactly one "/" (e.g. "10.0.0.0/24")';
  const [address = '', bits = ''] = slashed;
  if (!/^\d{1,3}$/.test(bits)) return 'the prefix length after "/" must be a whole number';
  const ip = parseIp(address);
  if (ip === undefined) return `"${address}" is not an IPv4 or IPv6 address`;
  const width = ip.version === 4 ? 32 : 128;
  const prefixLength = Number(bits);
  if (prefixLength > width) return `an IPv${ip.version} prefix length must be at most ${width}`;
  const hostBits = (1n << BigInt(width - prefixLength)) - 1n;
  return {
    version: ip.version,
    prefixLength,
    low: ip.value,
    high: ip.value | hostBits,
    canonical: (ip.value & hostBits) === 0n,
  };
}

/** Whether `address` lies in `block`; addresses of the other IP version never do. */
export function cidrContains(block: CidrBlock, address: IpAddress): boolean {
  return block.version === address.version && address.value >= block.low && address.value <= block.high;
}

/** A CIDR block that covers every address of its IP version (`0.0.0.0/0`, `::/0`, or any `x/0`). */
export function isWholeInternet(text: string): boolean {
  const block = parseCidr(text.trim());
  return typeof block !== 'string' && block.prefixLength === 0;
}
