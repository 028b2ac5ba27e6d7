/**
 * The archive of raw AWS Config messages: one object per configuration item change, linked from the
 * notification so a reader can see exactly what Config sent. Encrypted (SSE-S3), public access blocked,
 * TLS 1.2 or later only, objects expire.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CloudBlameFunction } from './handler.js';
import { acknowledgeWildcardResources } from './nag.js';

export interface ConfigArchiveProps {
  /** How long an archived message is kept. */
  readonly expiration: Duration;
  /** Where S3 server access logs go; none when undefined. */
  readonly accessLogsBucket?: s3.IBucket;
}

export class ConfigArchive extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ConfigArchiveProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireArchivedConfigMessages',
          expiration: props.expiration,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      ...(props.accessLogsBucket !== undefined && {
        serverAccessLogsBucket: props.accessLogsBucket,
        serverAccessLogsPrefix: 'cloudblame-archive/',
      }),
    });
    if (props.accessLogsBucket === undefined) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Server access logging is opt-in (the accessLogsBucket prop): the archive is written only by the attribution function, and reads of it can be audited with CloudTrail S3 data events.',
      });
    }
  }

  /** s3:PutObject on the archive's objects: the only S3 call the attribution function makes on it. */
  public grantArchive(fn: CloudBlameFunction): void {
    const objects = this.bucket.arnForObjects('*');
    fn.allow('ArchiveConfigMessages', ['s3:PutObject'], [objects]);
    acknowledgeWildcardResources(
      fn.role,
      [objects],
      'Each archived message is a new object whose key is made from the resource and capture time at run time; the grant is PutObject alone, on this bucket alone.',
    );
  }
}
