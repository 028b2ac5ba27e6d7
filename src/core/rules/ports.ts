/** A security group rule's protocol and ports as EC2 gives them (`-1` for all), read the same everywhere. */

/** `{ protocol: 'tcp', ports: '22' }`, `'1024-65535'`, or `'all'` for every protocol or port. */
export function portRange(
  ipProtocol: unknown,
  from: unknown,
  to: unknown,
): { protocol: string; ports: string } {
  const protocol = String(ipProtocol ?? 'unknown');
  if (protocol === '-1' || from === undefined || from === null || Number(from) === -1) {
    return { protocol, ports: 'all' };
  }
  return {
    protocol,
    ports: from === to || to === undefined ? String(from) : `${String(from)}-${String(to)}`,
  };
}
