import { describe, expect, it } from 'vitest';
import { lambdaRules } from '../../../../src/core/rules/packs/lambda.js';
import { alertOf, checkPack } from '../helpers.js';

describe('Lambda pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('lambda', lambdaRules, [
      // Event names carry the API version: CreateFunctionUrlConfig20211031.
      ['create-function-url-none', ['lambda.function-url-public']],
      ['update-function-url-none', ['lambda.function-url-public']],
      ['create-function-url-iam', []],
      ['add-permission-public', ['lambda.permission-public']],
      ['add-permission-s3', []],
      ['add-permission-org', []],
    ]);
  });

  it('gives the function and its URL', () => {
    expect(alertOf('lambda', 'create-function-url-none', 'lambda.function-url-public').details).toEqual({
      functionName: 'reports-api',
      authType: 'NONE',
      functionUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/',
    });
  });
});
