import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, defaultConfig, parseConfig } from '../../../src/core/config/schema.js';
import { ConfigFileError } from '../../../src/core/errors.js';

function problemWith(value: unknown): ConfigFileError {
  try {
    parseConfig(value, 'cloudblame.yaml');
  } catch (error) {
    if (error instanceof ConfigFileError) return error;
    throw error;
  }
  throw new Error('expected a ConfigFileError');
}

describe('parseConfig', () => {
  it('applies every default to a minimal file', () => {
    expect(parseConfig({ version: 1 }, 'cloudblame.yaml')).toEqual({
      version: 1,
      trustedPrincipals: [],
      trustedUserAgents: [
        { pattern: '*Terraform/*', reason: 'Terraform' },
        { pattern: '*terraform-provider-aws/*', reason: 'Terraform AWS provider' },
        { pattern: 'cloudformation.amazonaws.com', reason: 'CloudFormation' },
      ],
      iac: { tagKeys: ['managed-by'], tagValues: {} },
      resourceTypes: { include: ['*'], exclude: [] },
      ignoreAwsServiceChanges: true,
      notifications: { groupWindowMinutes: 5, channels: [] },
      rules: { custom: [], disable: [], severity: {}, suppress: [] },
      correlation: { windowMinutes: 15 },
    });
  });

  it('gives the same values from defaultConfig()', () => {
    expect(defaultConfig()).toEqual(parseConfig({ version: 1 }, 'x'));
  });

  it('reads the full documented shape, bare strings and objects alike', () => {
    const config = parseConfig(
      {
        version: 1,
        trustedPrincipals: [
          { arn: 'arn:aws:sts::*:assumed-role/terraform-*/*', reason: 'Terraform pipeline' },
          'arn:aws:iam::*:role/github-actions-deploy',
        ],
        trustedUserAgents: [{ pattern: '*Terraform/*', reason: 'Terraform' }, '*aws-cdk/*'],
        iac: {
          tagKeys: ['managed-by', 'aws:cloudformation:stack-name'],
          tagValues: { 'managed-by': ['terraform'] },
        },
        resourceTypes: { include: ['AWS::EC2::*'], exclude: ['AWS::EC2::NetworkInterface'] },
        ignoreAwsServiceChanges: false,
        correlation: { windowMinutes: 30 },
      },
      'cloudblame.yaml',
    );
    expect(config.trustedPrincipals).toEqual([
      { arn: 'arn:aws:sts::*:assumed-role/terraform-*/*', reason: 'Terraform pipeline' },
      { arn: 'arn:aws:iam::*:role/github-actions-deploy' },
    ]);
    expect(config.trustedUserAgents[1]).toEqual({ pattern: '*aws-cdk/*' });
    expect(config.correlation.windowMinutes).toBe(30);
    expect(config.ignoreAwsServiceChanges).toBe(false);
  });

  it('returns a frozen configuration', () => {
    const config = parseConfig({ version: 1 }, 'x');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.iac.tagKeys)).toBe(true);
  });

  it('accepts a $schema key for editors', () => {
    expect(() => parseConfig({ $schema: './schema/cloudblame.schema.json', version: 1 }, 'x')).not.toThrow();
  });

  it('names the key, the bad value and the range for windowMinutes', () => {
    const error = problemWith({ version: 1, correlation: { windowMinutes: 0 } });
    expect(error.message).toBe(
      'cloudblame.yaml: correlation.windowMinutes must be an integer between 1 and 1,440, but 0 was provided',
    );
    expect(error.key).toBe('correlation.windowMinutes');
  });

  it('rejects a fractional or quoted windowMinutes', () => {
    expect(problemWith({ version: 1, correlation: { windowMinutes: 2.5 } }).message).toContain(
      'but 2.5 was provided',
    );
    expect(problemWith({ version: 1, correlation: { windowMinutes: '15' } }).message).toContain(
      'but "15" was provided',
    );
  });

  it('rejects an unknown top-level key and suggests the near one', () => {
    const error = problemWith({ version: 1, trustedPrincipal: [] });
    expect(error.message).toBe(
      'cloudblame.yaml: unknown key "trustedPrincipal" at the top level (did you mean "trustedPrincipals"?)',
    );
    expect(error.key).toBe('trustedPrincipal');
  });

  it('rejects an unknown nested key and suggests ignoring case', () => {
    expect(problemWith({ version: 1, iac: { tagkeys: ['x'] } }).message).toBe(
      'cloudblame.yaml: unknown key "tagkeys" in iac (did you mean "tagKeys"?)',
    );
  });

  it('lists the allowed keys when nothing is near', () => {
    expect(problemWith({ version: 1, correlation: { lookback: 5 } }).message).toBe(
      'cloudblame.yaml: unknown key "lookback" in correlation; allowed keys are windowMinutes',
    );
  });

  it('rejects an unknown key inside a trusted principal object', () => {
    expect(
      problemWith({ version: 1, trustedPrincipals: [{ arn: 'arn:aws:iam::*:role/x', rason: 'y' }] }).message,
    ).toBe('cloudblame.yaml: unknown key "rason" in trustedPrincipals[0] (did you mean "reason"?)');
  });

  it('explains a trusted principal of the wrong type', () => {
    expect(problemWith({ version: 1, trustedPrincipals: [42] }).message).toBe(
      'cloudblame.yaml: trustedPrincipals[0] must be an ARN glob or an object with "arn" and an optional "reason", but 42 was provided',
    );
  });

  it('points into the object branch of a trusted principal', () => {
    expect(problemWith({ version: 1, trustedPrincipals: [{ arn: '' }] }).message).toBe(
      'cloudblame.yaml: trustedPrincipals[0].arn must be a non-empty ARN glob, but "" was provided',
    );
  });

  it('requires version 1', () => {
    expect(problemWith({}).message).toBe(
      'cloudblame.yaml: version is missing; it must be the number 1 (the only configuration format so far)',
    );
    expect(problemWith({ version: 2 }).message).toContain('version must be the number 1');
  });

  it('rejects a document that is not a mapping', () => {
    expect(problemWith(['version', 1]).message).toBe(
      'cloudblame.yaml: the configuration must be a mapping of keys such as version, trustedPrincipals and iac, but ["version",1] was provided',
    );
  });

  it('rejects a tagValues key that is not a tag key', () => {
    const error = problemWith({ version: 1, iac: { tagValues: { owner: ['platform'] } } });
    expect(error.message).toBe(
      'cloudblame.yaml: iac.tagValues.owner is set, but "owner" is not one of iac.tagKeys (managed-by); add it to iac.tagKeys or remove it from iac.tagValues',
    );
  });

  it('quotes a key path segment that is not an identifier', () => {
    expect(problemWith({ version: 1, iac: { tagValues: { 'managed-by': 'terraform' } } }).message).toBe(
      'cloudblame.yaml: iac.tagValues["managed-by"] must be a non-empty list of tag values, but "terraform" was provided',
    );
  });

  it('reports every problem at once', () => {
    const error = problemWith({
      version: 1,
      ignoreAwsServiceChanges: 'yes',
      resourceTypes: { include: [''] },
    });
    expect(error.message).toBe(
      [
        'cloudblame.yaml: 2 problems:',
        '  - resourceTypes.include[0] must be a non-empty resource type glob, but "" was provided',
        '  - ignoreAwsServiceChanges must be true or false, but "yes" was provided',
      ].join('\n'),
    );
  });
});

describe('configJsonSchema', () => {
  it('is the committed schema/cloudblame.schema.json', () => {
    const committed = readFileSync(
      new URL('../../../schema/cloudblame.schema.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

  it('rejects unknown keys and requires only version', () => {
    const schema = configJsonSchema();
    expect(schema['additionalProperties']).toBe(false);
    expect(schema['required']).toEqual(['version']);
  });
});
