/**
 * The archive of raw AWS Config messages: each message is written to S3 as it arrived, under a key that
 * says whose, where, when and which version, so that the notification can link to it and an incident
 * review can read exactly what AWS sent.
 *
 * `config/<account>/<region>/<yyyy>/<mm>/<dd>/<resourceType>/<resourceId>/<configurationStateId or captureTime>.json`
 *
 * The key is a function of the change alone, so writing the same message again (an SQS redelivery)
 * overwrites the object with the same bytes. The bucket's default encryption applies.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ConfigChange } from '../core/model.js';
import { s3ObjectUrl } from '../core/render/links.js';
import { AwsAdapterError, awsErrorContext, describeAwsError } from './errors.js';

/** Writing to the archive failed. */
export class ArchiveError extends AwsAdapterError {
  public constructor(message: string, context: AwsAdapterError['context'], options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'ArchiveError';
  }
}

export interface ArchivedObject {
  readonly bucket: string;
  readonly key: string;
  /** `s3://bucket/key` */
  readonly s3Uri: string;
  /** The object's page in the S3 console, for the notification link. */
  readonly consoleUrl: string | undefined;
}

export interface ConfigArchiveOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** The bucket's region, for the console link. */
  readonly region: string;
}

/**
 * One path segment made of safe characters: letters, digits and `._:=@+-` are kept (resource types keep
 * their `::`), anything else (a `/` in an ARN, spaces, unicode) is percent-encoded.
 */
export function keySegment(value: string): string {
  const safe = value.replace(/[^A-Za-z0-9._:=@+-]/g, (c) =>
    Array.from(new TextEncoder().encode(c), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(
      '',
    ),
  );
  // `.` and `..` are path tricks in some tools; an empty segment makes `//`.
  return safe === '' || safe === '.' || safe === '..' ? `%2E${safe}` : safe;
}

/** The archive key of a change's raw message. */
export function archiveKey(change: ConfigChange): string {
  const time = Number.isFinite(change.captureTimeMs) ? new Date(change.captureTimeMs) : new Date(0);
  const yyyy = String(time.getUTCFullYear()).padStart(4, '0');
  const mm = String(time.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(time.getUTCDate()).padStart(2, '0');
  const version = change.configurationStateId ?? change.captureTime;
  return [
    'config',
    keySegment(change.accountId),
    keySegment(change.awsRegion),
    yyyy,
    mm,
    dd,
    keySegment(change.resourceType),
    keySegment(change.resourceId),
    `${keySegment(version)}.json`,
  ].join('/');
}

export class ConfigArchive {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #region: string;

  public constructor(options: ConfigArchiveOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#region = options.region;
  }

  /** Writes `raw` (the message as received) for `change`; returns where it is. */
  public async archive(change: ConfigChange, raw: string): Promise<ArchivedObject> {
    const key = archiveKey(change);
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: raw,
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      throw new ArchiveError(
        `cannot archive to s3://${this.#bucket}/${key}: ${describeAwsError(error)}`,
        awsErrorContext('s3', 'PutObject', error, `s3://${this.#bucket}/${key}`),
        { cause: error },
      );
    }
    const s3Uri = `s3://${this.#bucket}/${key}`;
    return { bucket: this.#bucket, key, s3Uri, consoleUrl: s3ObjectUrl(s3Uri, this.#region) };
  }
}
