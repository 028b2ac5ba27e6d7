/** Which region an API call about a resource goes to. */

/** The region where a partition's global services (IAM, CloudFront, Route 53) are served and log. */
export function homeRegion(arn?: string): string {
  const partition = arn?.split(':')[1];
  if (partition === 'aws-cn') return 'cn-north-1';
  if (partition === 'aws-us-gov') return 'us-gov-west-1';
  return 'us-east-1';
}

/**
 * AWS Config records IAM and other global resources under the region `global`. Their CloudTrail events
 * are delivered in the partition's home region (us-east-1), which is where `LookupEvents` finds them.
 */
export function cloudTrailRegion(change: { readonly awsRegion: string; readonly arn?: string }): string {
  return change.awsRegion === 'global' ? homeRegion(change.arn) : change.awsRegion;
}

/**
 * The region to ask AWS Config about a resource: its own region, or for a global resource the region
 * whose recorder delivered the change (the EventBridge event's `region`), else the home region.
 */
export function configRegion(
  change: { readonly awsRegion: string; readonly arn?: string },
  recordingRegion?: string,
): string {
  if (change.awsRegion !== 'global') return change.awsRegion;
  if (recordingRegion !== undefined && recordingRegion !== '' && recordingRegion !== 'global')
    return recordingRegion;
  return homeRegion(change.arn);
}
