/**
 * `s3://bucket/prefix` addresses and the error of S3 archives, apart from the archive reader so that a
 * command given only local paths never loads the AWS SDK (about 120 ms of a run's start).
 */
import { AwsAdapterError } from './errors.js';

/** Listing an archive failed (no such bucket, access denied, ...), or an `s3://` address is malformed. */
export class S3ArchiveError extends AwsAdapterError {
  public constructor(message: string, context: AwsAdapterError['context'], options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'S3ArchiveError';
  }
}

export interface S3Location {
  readonly bucket: string;
  /** Empty for the whole bucket. */
  readonly prefix: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Url(value: string): boolean {
  return value.startsWith('s3://');
}

/**
 * `s3://bucket/prefix` → bucket and prefix.
 * @throws S3ArchiveError naming the value when it is not an S3 address with a valid bucket name.
 */
export function parseS3Url(url: string): S3Location {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (!isS3Url(url) || !BUCKET.test(bucket)) {
    throw new S3ArchiveError(
      `${JSON.stringify(url)} is not an S3 address; expected s3://bucket or s3://bucket/prefix, e.g. s3://my-trail-bucket/AWSLogs/111122223333/CloudTrail/`,
      { service: 's3', operation: 'ListObjectsV2', target: url, retryable: false },
    );
  }
  return { bucket, prefix };
}
