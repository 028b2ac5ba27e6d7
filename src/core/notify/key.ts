import type { Finding } from '../model.js';

/**
 * Idempotency keys: one stable string per finding, so that a finding retried (an SQS redelivery, a
 * replay, a second run over the same files) is recognised and never delivered twice to the same channel.
 *
 * - a change: `change:<account>:<region>:<resourceType>:<resourceId>:<configurationStateId ?? captureTime>`
 * - an alert: `alert:<ruleId>:<eventId>`
 * - a group of findings sent as one message: `group:<count>:<sha256 of the sorted member keys>`
 * - any of them on one channel: `<channel>|<key>`, because the same finding goes to several channels.
 *
 * Resource ids may hold colons (secret ARNs), so a key is not meant to be split back into its parts; it
 * is only compared. It stays unambiguous in practice: account and region hold no colon, resource types
 * have the fixed `A::B::C` shape, and the last part is a numeric state id or an ISO-8601 time.
 *
 * Pure: the hash is a plain TypeScript SHA-256, so the core needs no `node:crypto`.
 */

export function idempotencyKey(finding: Finding): string {
  if (finding.kind === 'alert') return `alert:${finding.rule.id}:${finding.event.eventId}`;
  const { change } = finding;
  const version = change.configurationStateId ?? change.captureTime;
  return `change:${change.accountId}:${change.awsRegion}:${change.resourceType}:${change.resourceId}:${version}`;
}

/**
 * One key for a message that carries several findings. Order and duplicates do not matter: the same
 * members give the same key. A different grouping of the same findings is a different message and gets a
 * different key.
 */
export function groupKey(memberKeys: readonly string[]): string {
  const members = [...new Set(memberKeys)].sort();
  if (members.length === 1) return members[0]!;
  return `group:${members.length}:${sha256Hex(JSON.stringify(members))}`;
}

/** The key of `key` delivered on `channel` (a sink's name): `<channel>|<key>`. */
export function channelKey(channel: string, key: string): string {
  return `${channel}|${key}`;
}

// --- SHA-256 (FIPS 180-4), over the UTF-8 bytes of a string ---------------------------------------------

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/** Lower-case hex SHA-256 of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  const data = new TextEncoder().encode(text);
  const bitLength = data.length * 8;
  // Message + 0x80 + zero padding + 64-bit big-endian length, to a multiple of 64 bytes.
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 0x1_0000_0000));
  view.setUint32(padded.length - 4, bitLength >>> 0);

  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(offset + t * 4);
    for (let t = 16; t < 64; t++) {
      const w15 = w[t - 15]!;
      const w2 = w[t - 2]!;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[t] = w[t - 16]! + s0 + w[t - 7]! + s1;
    }
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    let f = h[5]!;
    let g = h[6]!;
    let hh = h[7]!;
    for (let t = 0; t < 64; t++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + ch + K[t]! + w[t]!) >>> 0;
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + hh;
  }
  return Array.from(h, (word) => word.toString(16).padStart(8, '0')).join('');
}
