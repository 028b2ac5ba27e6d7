import { describe, expect, it } from 'vitest';
import {
  cloudTrailEventUrl,
  configResourceUrl,
  configTimelineUrl,
  consoleRegion,
  isSafeLink,
  partitionFromArn,
  partitionFromRegion,
  resourceConsoleUrl,
  s3ObjectUrl,
} from '../../../src/core/render/links.js';

const sg = { resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-0123', awsRegion: 'eu-west-1' };

describe('partitions', () => {
  it('tells the partition from the region and the ARN', () => {
    expect(partitionFromRegion('eu-west-1')).toBe('aws');
    expect(partitionFromRegion('cn-northwest-1')).toBe('aws-cn');
    expect(partitionFromRegion('us-gov-east-1')).toBe('aws-us-gov');
    expect(partitionFromArn('arn:aws-cn:iam::111122223333:role/x')).toBe('aws-cn');
    expect(partitionFromArn('arn:aws-iso:iam::111122223333:role/x')).toBeUndefined();
  });

  it('opens global resources in the home region of their partition', () => {
    expect(consoleRegion({ awsRegion: 'global' })).toBe('us-east-1');
    expect(consoleRegion({ awsRegion: 'global', arn: 'arn:aws-cn:iam::111122223333:role/x' })).toBe(
      'cn-north-1',
    );
    expect(consoleRegion({ awsRegion: 'global', arn: 'arn:aws-us-gov:iam::111122223333:role/x' })).toBe(
      'us-gov-west-1',
    );
    expect(consoleRegion({ awsRegion: 'global' }, { globalResourceRegion: 'eu-west-1' })).toBe('eu-west-1');
    // A recording region of another partition is ignored.
    expect(
      consoleRegion(
        { awsRegion: 'global', arn: 'arn:aws-cn:iam::111122223333:role/x' },
        { globalResourceRegion: 'eu-west-1' },
      ),
    ).toBe('cn-north-1');
  });
});

describe('console links', () => {
  it('links the Config timeline and the CloudTrail event in the commercial partition', () => {
    expect(configTimelineUrl(sg)).toBe(
      'https://eu-west-1.console.aws.amazon.com/config/home?region=eu-west-1#/resources/timeline?resourceId=sg-0123&resourceType=AWS%3A%3AEC2%3A%3ASecurityGroup',
    );
    expect(configResourceUrl(sg)).toContain('#/resources/details?resourceId=sg-0123&');
    expect(cloudTrailEventUrl({ awsRegion: 'eu-west-1', eventId: 'abc-123' })).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/abc-123',
    );
    expect(resourceConsoleUrl(sg)).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0123',
    );
  });

  it('uses console.amazonaws.cn in aws-cn', () => {
    const cn = { ...sg, awsRegion: 'cn-north-1' };
    expect(configTimelineUrl(cn)).toMatch(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/config\/home\?region=cn-north-1#/,
    );
    expect(resourceConsoleUrl(cn)).toMatch(/^https:\/\/cn-north-1\.console\.amazonaws\.cn\/ec2\//);
    expect(cloudTrailEventUrl({ awsRegion: 'cn-northwest-1', eventId: 'e' })).toBe(
      'https://cn-northwest-1.console.amazonaws.cn/cloudtrailv2/home?region=cn-northwest-1#/events/e',
    );
  });

  it('uses console.amazonaws-us-gov.com in aws-us-gov', () => {
    const gov = { ...sg, awsRegion: 'us-gov-west-1' };
    expect(configTimelineUrl(gov)).toMatch(
      /^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\/config\//,
    );
    expect(
      resourceConsoleUrl({ resourceType: 'AWS::S3::Bucket', resourceId: 'b', awsRegion: 'us-gov-east-1' }),
    ).toBe('https://console.amazonaws-us-gov.com/s3/buckets/b?region=us-gov-east-1');
  });

  it('links IAM without a region, by name, and the Config timeline of the recording region', () => {
    const role = {
      resourceType: 'AWS::IAM::Role',
      resourceId: 'AROAEXAMPLE',
      resourceName: 'deploy-role',
      arn: 'arn:aws:iam::111122223333:role/deploy-role',
      awsRegion: 'global',
    };
    expect(resourceConsoleUrl(role)).toBe(
      'https://console.aws.amazon.com/iam/home#/roles/details/deploy-role',
    );
    expect(configTimelineUrl(role)).toContain(
      'https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#',
    );
    const cnUser = {
      resourceType: 'AWS::IAM::User',
      resourceId: 'AIDAEXAMPLE',
      arn: 'arn:aws-cn:iam::111122223333:user/path/bob',
      awsRegion: 'global',
    };
    expect(resourceConsoleUrl(cnUser)).toBe('https://console.amazonaws.cn/iam/home#/users/details/bob');
    const policy = {
      resourceType: 'AWS::IAM::Policy',
      resourceId: 'ANPAEXAMPLE',
      arn: 'arn:aws-us-gov:iam::111122223333:policy/ops/read',
      awsRegion: 'global',
    };
    expect(resourceConsoleUrl(policy)).toBe(
      'https://console.amazonaws-us-gov.com/iam/home#/policies/details/arn%3Aaws-us-gov%3Aiam%3A%3A111122223333%3Apolicy%2Fops%2Fread',
    );
  });

  it('deep-links RDS by identifier, Lambda and Secrets Manager by name, and falls back to Config', () => {
    const rds = {
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ABC',
      resourceName: 'orders',
      awsRegion: 'us-east-2',
    };
    expect(resourceConsoleUrl(rds)).toBe(
      'https://us-east-2.console.aws.amazon.com/rds/home?region=us-east-2#database:id=orders;is-cluster=false',
    );
    expect(resourceConsoleUrl({ ...rds, resourceName: undefined })).toContain(
      '/config/home?region=us-east-2#/resources/details',
    );
    expect(
      resourceConsoleUrl({ resourceType: 'AWS::Lambda::Function', resourceId: 'fn', awsRegion: 'us-east-1' }),
    ).toBe('https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/fn');
    expect(
      resourceConsoleUrl({
        resourceType: 'AWS::SecretsManager::Secret',
        resourceId: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db/pass-AbCdEf',
        resourceName: 'db/pass',
        awsRegion: 'us-east-1',
      }),
    ).toBe('https://us-east-1.console.aws.amazon.com/secretsmanager/secret?name=db%2Fpass&region=us-east-1');
    expect(
      resourceConsoleUrl({ resourceType: 'AWS::Foo::Bar', resourceId: 'x', awsRegion: 'us-east-1' }),
    ).toBe(configResourceUrl({ resourceType: 'AWS::Foo::Bar', resourceId: 'x', awsRegion: 'us-east-1' }));
  });

  it('encodes every component taken from events and never puts a bad region in the host', () => {
    const hostile = {
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: "sg-1<!here>|x y'(z)#&",
      awsRegion: 'evil.example/',
    };
    for (const url of [configTimelineUrl(hostile), resourceConsoleUrl(hostile), configResourceUrl(hostile)]) {
      expect(url.startsWith('https://us-east-1.console.aws.amazon.com/')).toBe(true);
      expect(isSafeLink(url)).toBe(true);
      expect(url).toContain('sg-1%3C%21here%3E%7Cx%20y%27%28z%29%23%26');
    }
    expect(cloudTrailEventUrl({ awsRegion: 'x.evil.example', eventId: '../#?' })).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/..%2F%23%3F',
    );
  });

  it('links an oversized item in S3 and rejects unsafe links', () => {
    expect(s3ObjectUrl('s3://bucket/AWSLogs/1/Config/item.json', 'eu-west-1')).toBe(
      'https://console.aws.amazon.com/s3/object/bucket?region=eu-west-1&prefix=AWSLogs%2F1%2FConfig%2Fitem.json',
    );
    expect(s3ObjectUrl('https://not-s3', 'eu-west-1')).toBeUndefined();
    expect(isSafeLink('http://example.com')).toBe(false);
    expect(isSafeLink('https://example.com/a|b')).toBe(false);
    expect(isSafeLink('https://example.com/a>b')).toBe(false);
    expect(isSafeLink('javascript:alert(1)')).toBe(false);
  });
});
