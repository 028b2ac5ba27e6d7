import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexArchive } from '../../src/actions/index-archive.js';
import { whoOnce } from '../../src/actions/who.js';
import { isArchiveKey, listArchiveObjects, readArchiveObject } from '../../src/aws/s3-archive.js';
import { parseS3Url, S3ArchiveError } from '../../src/aws/s3-location.js';
import { capture } from '../helpers/cloudblame-index.js';

interface LocalS3 {
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * s3rver on 127.0.0.1 on an ephemeral port, in a child process: it encrypts ListObjectsV2 continuation
 * tokens with DES, which Node's OpenSSL 3 only has with `--openssl-legacy-provider`, so pagination
 * cannot be tested against an s3rver in this process.
 */
async function startS3rverProcess(): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'cloudblame-s3rver-'));
  const script = `
    const { default: S3rver } = await import('s3rver');
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(directory)} });
    const { port } = await server.run();
    process.stdout.write('PORT ' + port + '\\n');
    process.stdin.resume();
    process.stdin.on('end', () => server.close().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--input-type=module', '-e', script], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  return {
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async close() {
      client.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

const root = join(import.meta.dirname, '..', '..');
const day = 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/18';
const localDay = join(root, 'examples', 'cloudtrail', day);
const BUCKET = 'trail-archive';
const ALICE_EVENT = '5f819f6b-ec31-4b25-9821-daf6e49e9b7d';

describe('CloudTrail archives in S3 (s3rver on 127.0.0.1)', () => {
  let s3: LocalS3;
  const files = readdirSync(localDay).sort();
  let dbDir: string;

  beforeAll(async () => {
    s3 = await startS3rverProcess();
    await s3.createBucket(BUCKET);
    const put = (key: string, body: Buffer | string) =>
      s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    for (const name of files) await put(`${day}/${name}`, readFileSync(join(localDay, name)));
    await put(
      'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/18/digest.json.gz',
      gzipSync('{"digestStartTime":"x","logFiles":[]}'),
    );
    const truncated = readFileSync(join(localDay, files[0]!));
    await put(`${day}/zz-truncated.json.gz`, truncated.subarray(0, truncated.length - 40));
    await put('AWSLogs/README.txt', 'not a log file');
    dbDir = mkdtempSync(join(tmpdir(), 'cloudblame-s3-'));
  });

  afterAll(async () => {
    await s3?.close();
    rmSync(dbDir, { recursive: true, force: true });
  });

  it('parses s3:// addresses and refuses others', () => {
    expect(parseS3Url('s3://my-trail/AWSLogs/1/')).toEqual({ bucket: 'my-trail', prefix: 'AWSLogs/1/' });
    expect(parseS3Url('s3://my-trail')).toEqual({ bucket: 'my-trail', prefix: '' });
    expect(() => parseS3Url('s3://')).toThrow(S3ArchiveError);
    expect(() => parseS3Url('s3://Bad_Bucket/x')).toThrow(/not an S3 address/);
    expect(isArchiveKey(`${day}/x.json.gz`)).toBe(true);
    expect(isArchiveKey('AWSLogs/1/CloudTrail-Digest/r/x.json.gz')).toBe(false);
    expect(isArchiveKey('AWSLogs/1/')).toBe(false);
  });

  it('lists the log files page by page, with size and ETag', async () => {
    const objects = [];
    const prefix = 'AWSLogs/111122223333/CloudTrail/';
    for await (const object of listArchiveObjects(s3.client, { bucket: BUCKET, prefix }, { pageSize: 2 })) {
      objects.push(object);
    }
    expect(objects.map((o) => o.key)).toEqual([
      ...files.map((f) => `${day}/${f}`),
      `${day}/zz-truncated.json.gz`,
    ]);
    expect(objects[0]).toMatchObject({
      source: `s3://${BUCKET}/${day}/${files[0]}`,
      size: readFileSync(join(localDay, files[0]!)).length,
      etag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
    });
  });

  it('skips digests and files that are not logs', async () => {
    // One page: s3rver lists a folder's subfolders in its own order (CloudTrail before CloudTrail-Digest),
    // not S3's key order, so its continuation tokens lose keys across sibling folders.
    const skipped: string[] = [];
    const keys: string[] = [];
    for await (const object of listArchiveObjects(
      s3.client,
      { bucket: BUCKET, prefix: 'AWSLogs/' },
      { onSkip: (source) => skipped.push(source) },
    )) {
      keys.push(object.key);
    }
    expect(keys).toHaveLength(files.length + 1);
    expect(skipped.sort()).toEqual([
      `s3://${BUCKET}/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/18/digest.json.gz`,
      `s3://${BUCKET}/AWSLogs/README.txt`,
    ]);
  });

  it('streams and gunzips an object into documents, and reports a truncated one', async () => {
    const key = `${day}/${files[0]}`;
    const docs = await readArchiveObject(s3.client, { bucket: BUCKET, key, source: `s3://${BUCKET}/${key}` });
    expect(docs).toHaveLength(1);
    const doc = docs[0]!;
    expect('doc' in doc && Array.isArray((doc.doc as { Records: unknown[] }).Records)).toBe(true);
    // Skimming (cloudblame index without --all): CloudTrail's compact log file is handed over unparsed.
    const skimmed = await readArchiveObject(
      s3.client,
      { bucket: BUCKET, key, source: `s3://${BUCKET}/${key}` },
      { skim: true },
    );
    expect(skimmed).toMatchObject([{ source: `s3://${BUCKET}/${key}`, log: expect.any(Buffer) }]);
    const bad = await readArchiveObject(s3.client, {
      bucket: BUCKET,
      key: `${day}/zz-truncated.json.gz`,
      source: 'truncated',
    });
    expect(bad).toMatchObject([
      { source: 'truncated', error: { message: expect.stringMatching(/truncated gzip data/) } },
    ]);
    const missing = await readArchiveObject(s3.client, {
      bucket: BUCKET,
      key: 'nope.json',
      source: 's3://x/nope.json',
    });
    expect(missing).toMatchObject([
      { error: { message: expect.stringMatching(/s3:\/\/x\/nope\.json: cannot read: NoSuchKey/) } },
    ]);
  });

  it('indexes the archive from S3, skips unchanged objects by ETag, and answers who', async () => {
    const db = join(dbDir, 'index.db');
    const source = `s3://${BUCKET}/AWSLogs/111122223333/`;
    const run = async () => {
      const stderr = capture();
      const result = await indexArchive(
        { sources: [source], db, all: false, progress: false, maxErrors: 0, s3: () => s3.client },
        { stderr: stderr.stream },
      );
      return { ...result, stderr: stderr.text() };
    };
    const first = await run();
    expect(first.exitCode).toBe(0);
    expect(first.summary).toMatchObject({
      files: files.length + 1,
      indexedFiles: files.length,
      failedFiles: 1,
    });
    expect(first.stderr).toMatch(/zz-truncated\.json\.gz: truncated gzip data/);
    const who = whoOnce(db, 'sg-0123456789abcdef0');
    expect(who.entries[0]?.eventId).toBe(ALICE_EVENT);
    expect(who.entries.map((e) => e.eventName)).toContain('CreateSecurityGroup');
    const second = await run();
    expect(second.summary).toMatchObject({ unchangedFiles: files.length, indexedFiles: 0, failedFiles: 1 });
  });

  it('reports a bucket it cannot list', async () => {
    const stderr = capture();
    const result = await indexArchive(
      {
        sources: ['s3://no-such-bucket-here/AWSLogs/'],
        db: join(dbDir, 'other.db'),
        all: false,
        progress: false,
        maxErrors: 0,
        s3: () => s3.client,
      },
      { stderr: stderr.stream },
    );
    expect(result.exitCode).toBe(1);
    expect(stderr.text()).toMatch(/cannot list s3:\/\/no-such-bucket-here\/AWSLogs\/: NoSuchBucket/);
    // Not "no archive file found": the listing failed, and the error above says why.
    expect(stderr.text()).toContain('no archive file could be listed or read (the errors above say why)');
  });
});
