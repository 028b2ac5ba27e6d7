import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.js';
import { parseDocument } from '../src/core/parse/document.js';
import { readDocuments } from '../src/io/read-documents.js';

/**
 * Reads the public CloudTrail and AWS Config data sets kept next to the project (see PROVENANCE.md
 * there) through the real readers and parsers. They are not part of the repository.
 */
const datasets = fileURLToPath(new URL('../../shared/datasets', import.meta.url));
const folders = [
  'stratus-red-team',
  'invictus-ir-aws-dataset',
  'cloud-custodian',
  'aws-config-rdk',
  'asecurityteam-awsconfig-filterd',
  'asecurityteam-awsconfig-transformerd',
];

/** The entries of a zip archive (stored or deflated), enough for the one OTRF archive. */
function unzip(archive: Buffer): { name: string; data: Buffer }[] {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip archive');
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i += 1) {
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const skip = nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    const local = archive.readUInt32LE(at + 42);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(start, start + compressed);
    out.push({ name, data: method === 8 ? inflateRawSync(raw) : raw });
    at += 46 + skip;
  }
  return out;
}

/** Cloud Custodian's recorded API responses ("placebo" files) wrap the response and encode datetimes. */
function unwrapPlacebo(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null || !('status_code' in doc) || !('data' in doc)) return doc;
  return JSON.parse(JSON.stringify(doc.data), (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || !('__class__' in value)) return value;
    const v = value as Record<string, number>;
    if (v['__class__'] !== undefined && String(v['__class__']) !== 'datetime') return value;
    const ms = Date.UTC(v['year'] ?? 0, (v['month'] ?? 1) - 1, v['day'], v['hour'], v['minute'], v['second']);
    return new Date(ms + Math.floor((v['microsecond'] ?? 0) / 1000)).toISOString();
  });
}

describe.skipIf(!existsSync(datasets))(
  'public data sets (../shared/datasets; absent in a fresh clone, so this is skipped there)',
  () => {
    const scratch = mkdtempSync(join(tmpdir(), 'cloudblame-datasets-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it('parses every CloudTrail record and configuration item, or rejects it with an error naming its source', async () => {
      const otrf = join(datasets, 'otrf-security-datasets', 'ec2_proxy_s3_exfiltration.zip');
      const extracted: string[] = [];
      if (existsSync(otrf)) {
        for (const entry of unzip(readFileSync(otrf))) {
          const path = join(scratch, basename(entry.name));
          writeFileSync(path, entry.data);
          extracted.push(path);
        }
      }
      const paths = [...folders.map((folder) => join(datasets, folder)), ...extracted];

      let documents = 0;
      let events = 0;
      let changes = 0;
      const skipped = new Map<string, number>();
      const errors: InputError[] = [];
      const byKind = new Map<string, number>();
      const byEnvelope = new Map<string, number>();
      let writes = 0;
      for await (const read of readDocuments(paths)) {
        if ('error' in read) {
          errors.push(read.error);
          continue;
        }
        documents += 1;
        const parsed = parseDocument(unwrapPlacebo(read.doc), read.source);
        byKind.set(parsed.kind, (byKind.get(parsed.kind) ?? 0) + 1);
        events += parsed.events.length;
        changes += parsed.changes.length;
        writes += parsed.events.filter((e) => !e.readOnly).length;
        for (const c of parsed.changes) byEnvelope.set(c.envelope, (byEnvelope.get(c.envelope) ?? 0) + 1);
        for (const [type, n] of Object.entries(parsed.skipped))
          skipped.set(type, (skipped.get(type) ?? 0) + n);
        errors.push(...parsed.errors);
      }

      console.log(
        [
          `data sets: ${documents} documents (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')})`,
          `  CloudTrail events parsed: ${events} (${writes} not read-only)`,
          `  Config changes parsed: ${changes} (${[...byEnvelope].map(([k, n]) => `${k} ${n}`).join(', ')})`,
          `  skipped: ${[...skipped].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
          `  errors: ${errors.length}`,
          ...errors.slice(0, 8).map((e) => `    ${e.message.replace(datasets, '<datasets>').slice(0, 240)}`),
        ].join('\n'),
      );

      for (const error of errors) {
        expect(error).toBeInstanceOf(InputError);
        expect([datasets, scratch].some((root) => error.location.source.startsWith(root))).toBe(true);
      }
      expect(events).toBeGreaterThan(3000);
      expect(changes).toBeGreaterThan(100);
      // The two aws-config-rdk files that are not valid JSON upstream.
      const invalid = errors.filter((e) => e.message.includes('invalid JSON'));
      expect(invalid.map((e) => basename(e.location.source)).sort()).toEqual([
        'AWS_EC2_NetworkInterface.json',
        'AWS_SSM_ManagedInstanceInventory_Linux.json',
      ]);
    });
  },
);
