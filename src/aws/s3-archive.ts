/**
 * CloudTrail archives in S3 (`s3://bucket/prefix`, usually `AWSLogs/<account>/CloudTrail/<region>/...`):
 * the objects under a prefix, listed page by page (ListObjectsV2), and each object's JSON documents,
 * streamed from GetObject and gunzipped, in the same shape `readDocuments` gives for local files, so
 * `cloudblame index` treats both alike. Each object carries its size and ETag, for incremental runs.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InputError } from '../core/errors.js';
import { escapeControl } from '../core/parse/shape.js';
import { type DocumentRead, documentsOfBytes, type SkimRead } from '../io/read-documents.js';
import { DIGEST_DIR, READABLE } from '../io/walk.js';
import { awsErrorContext, describeAwsError } from './errors.js';
import { S3ArchiveError, type S3Location } from './s3-location.js';

/** One object of an archive. */
export interface ArchiveObject {
  /** `s3://bucket/key`: the name errors and the index use. */
  readonly source: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** The ETag as S3 gives it (quoted), or the last-modified time when there is none. */
  readonly etag: string;
}

export interface S3ArchiveOptions {
  /** Largest object (decompressed) read whole. @default 512 MiB */
  readonly maxBytes?: number;
  /** Keys per ListObjectsV2 page. @default S3's (1000) */
  readonly pageSize?: number;
  /** Called for each key passed over because of its name (digests, folders, other files). */
  readonly onSkip?: (source: string) => void;
  /** Hand CloudTrail log files over unparsed (`SkimOptions.skim` in src/io/read-documents.ts). @default false */
  readonly skim?: boolean;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);

/** Whether an archive walk reads this key: JSON files and gzip, not CloudTrail digests or folder markers. */
export function isArchiveKey(key: string): boolean {
  return !key.endsWith('/') && READABLE.test(key) && !key.split('/').includes(DIGEST_DIR);
}

/**
 * The objects under a location, in key order (S3 lists keys in UTF-8 binary order), page by page.
 * @throws S3ArchiveError when a page cannot be listed.
 */
export async function* listArchiveObjects(
  client: S3Client,
  location: S3Location,
  options: S3ArchiveOptions = {},
): AsyncGenerator<ArchiveObject> {
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          ...(location.prefix !== '' && { Prefix: location.prefix }),
          ...(options.pageSize !== undefined && { MaxKeys: options.pageSize }),
          ...(token !== undefined && { ContinuationToken: token }),
        }),
      );
    } catch (error) {
      const target = `s3://${location.bucket}/${location.prefix}`;
      throw new S3ArchiveError(
        `cannot list ${target}: ${describeAwsError(error)}`,
        awsErrorContext('s3', 'ListObjectsV2', error, target),
        { cause: error },
      );
    }
    for (const item of page.Contents ?? []) {
      const key = item.Key;
      if (key === undefined) continue;
      const source = `s3://${location.bucket}/${key}`;
      if (!isArchiveKey(key)) {
        options.onSkip?.(source);
        continue;
      }
      yield {
        source,
        bucket: location.bucket,
        key,
        size: item.Size ?? 0,
        etag: item.ETag ?? item.LastModified?.toISOString() ?? '',
      };
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined && token !== '');
}

function failure(source: string, problem: string, cause?: unknown): DocumentRead {
  return { source, error: new InputError(problem, { source }, { cause }) };
}

function zlibReason(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'Z_BUF_ERROR') return 'truncated gzip data (unexpected end of file)';
  if (code === 'Z_DATA_ERROR') return 'corrupt gzip data';
  return escapeControl(error instanceof Error ? error.message : String(error));
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * The JSON documents of one object: its body streamed in (at most `maxBytes`), gunzipped when it is
 * gzip (by its magic bytes), then read like a local file (`documentsOfBytes`). Any failure (the object is gone, access denied,
 * truncated gzip, invalid JSON) is one error naming `s3://bucket/key`; it is never thrown.
 */
export async function readArchiveObject(
  client: S3Client,
  object: Pick<ArchiveObject, 'bucket' | 'key' | 'source'>,
  options: S3ArchiveOptions = {},
): Promise<SkimRead[]> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const output = await client.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
    const body: unknown = output.Body;
    if (!isAsyncIterable(body)) return [failure(object.source, 'S3 returned no object body')];
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) {
        if ('destroy' in body && typeof body.destroy === 'function') body.destroy();
        return [failure(object.source, `larger than ${maxBytes} bytes; not read`)];
      }
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
  } catch (error) {
    return [failure(object.source, `cannot read: ${describeAwsError(error)}`, error)];
  }
  let data = Buffer.concat(chunks, size);
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = await gunzipAsync(data, { maxOutputLength: maxBytes });
    } catch (error) {
      if (error instanceof RangeError) {
        return [failure(object.source, `larger than ${maxBytes} bytes once decompressed; not read`)];
      }
      return [failure(object.source, zlibReason(error), error)];
    }
  }
  return documentsOfBytes(object.source, data, options.skim);
}
