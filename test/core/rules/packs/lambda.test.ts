import { describe, expect, it } from 'vitest';
import { lambdaRules } from '../../../../src/core/rules/packs/lambda.js';
import { alertOf, checkPack } from '../helpers.js';

describe('Lambda pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack(['lambda', 'lambda-layer'], lambdaRules, [
      // Event names carry the API version: CreateFunctionUrlConfig20211031.
      ['create-function-url-none', ['lambda.function-url-public']],
      ['update-function-url-none', ['lambda.function-url-public']],
      ['create-function-url-iam', []],
      ['add-permission-public', ['lambda.permission-public']],
      ['add-permission-s3', []],
      ['add-permission-org', []],
      ['add-layer-permission-public', ['lambda.layer-permission-public']],
      ['add-layer-permission-organization', []],
      ['add-layer-permission-account', []],
      ['add-layer-permission-without-principal', []],
      ['add-layer-permission-public-odd-response', ['lambda.layer-permission-public']],
    ]);
  });

  it('gives the function and its URL', () => {
    expect(alertOf('lambda', 'create-function-url-none', 'lambda.function-url-public').details).toEqual({
      functionName: 'reports-api',
      authType: 'NONE',
      functionUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/',
    });
  });

  it('names the layer version shared with everyone', () => {
    expect(
      alertOf('lambda-layer', 'add-layer-permission-public', 'lambda.layer-permission-public').details,
    ).toEqual({
      layerName: 'shared-utils',
      versionNumber: 3,
      statementId: 'everyone',
      action: 'lambda:GetLayerVersion',
      principal: '*',
      layerVersionArn: 'arn:aws:lambda:eu-west-1:111122223333:layer:shared-utils:3',
    });
  });

  it('still alerts, without the ARN, when the response statement is not JSON', () => {
    expect(
      alertOf('lambda-layer', 'add-layer-permission-public-odd-response', 'lambda.layer-permission-public')
        .details,
    ).toEqual({
      layerName: 'shared-utils',
      versionNumber: 3,
      statementId: 'everyone-2',
      action: 'lambda:GetLayerVersion',
      principal: '*',
    });
  });
});
