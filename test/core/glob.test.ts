import { describe, expect, it } from 'vitest';
import { firstMatchingGlob, globToRegExp, matchesGlob } from '../../src/core/glob.js';

describe('glob', () => {
  it('lets * match across / and :', () => {
    const glob = 'arn:aws:sts::*:assumed-role/terraform-*/*';
    expect(matchesGlob('arn:aws:sts::123456789012:assumed-role/terraform-deployer/run-1', glob)).toBe(true);
    expect(matchesGlob('arn:aws:sts::123456789012:assumed-role/terraform-a/b/c', glob)).toBe(true);
  });

  it('anchors at both ends', () => {
    expect(matchesGlob('xarn:aws:iam::1:role/deploy', 'arn:aws:iam::*:role/deploy')).toBe(false);
    expect(matchesGlob('arn:aws:iam::1:role/deploy-old', 'arn:aws:iam::*:role/deploy')).toBe(false);
  });

  it('treats every other character literally', () => {
    expect(matchesGlob('a.b', 'a.b')).toBe(true);
    expect(matchesGlob('axb', 'a.b')).toBe(false);
    expect(matchesGlob('x?y', 'x?y')).toBe(true);
    expect(matchesGlob('xzy', 'x?y')).toBe(false);
    expect(matchesGlob('(+https://www.terraform.io) [x]', '(+https://*) [x]')).toBe(true);
    expect(matchesGlob('a\\b', 'a\\b')).toBe(true);
  });

  it('is case-sensitive', () => {
    expect(matchesGlob('AWS::EC2::Instance', 'aws::ec2::*')).toBe(false);
  });

  it('matches across lines in a value', () => {
    expect(matchesGlob('Terraform/1.5\nextra', '*Terraform/*')).toBe(true);
  });

  it('gives the same RegExp for the same glob', () => {
    expect(globToRegExp('AWS::EC2::*')).toBe(globToRegExp('AWS::EC2::*'));
  });

  it('names the first glob that matches', () => {
    expect(firstMatchingGlob('AWS::EC2::VPC', ['AWS::S3::*', 'AWS::EC2::*', '*'])).toBe('AWS::EC2::*');
    expect(firstMatchingGlob('AWS::EC2::VPC', ['AWS::S3::*'])).toBeUndefined();
  });
});
