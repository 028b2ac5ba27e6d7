import { describe, expect, it } from 'vitest';
import { inferReadOnly } from '../../../src/core/parse/read-only.js';

describe('inferReadOnly', () => {
  it.each([
    'DescribeInstances',
    'GetObject',
    'ListBuckets',
    'HeadBucket',
    'LookupEvents',
    'BatchGetItem',
    'Decrypt',
  ])('takes %s for a read', (name) => {
    expect(inferReadOnly(name)).toBe(true);
  });

  it.each(['CreateRole', 'PutBucketPolicy', 'ConsoleLogin', 'SignUp', 'AssumeRole', 'DeleteSecret'])(
    'takes %s for a write',
    (name) => {
      expect(inferReadOnly(name)).toBe(false);
    },
  );

  it('needs the verb to end where the next word starts', () => {
    expect(inferReadOnly('Getaway')).toBe(false);
    expect(inferReadOnly('Get')).toBe(true);
  });

  it('accepts a lower-case first letter', () => {
    expect(inferReadOnly('listFunctions')).toBe(true);
  });
});
