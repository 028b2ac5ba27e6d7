import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { ConfigFileError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudblame-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfigFile', () => {
  it('reads YAML', async () => {
    const path = file(
      'cloudblame.yaml',
      [
        'version: 1',
        'trustedPrincipals:',
        '  - arn: "arn:aws:sts::*:assumed-role/terraform-*/*"',
        '    reason: Terraform pipeline',
        '  - "arn:aws:iam::*:role/github-actions-deploy"',
        'correlation:',
        '  windowMinutes: 20',
        '',
      ].join('\n'),
    );
    const config = await loadConfigFile(path);
    expect(config.trustedPrincipals).toEqual([
      { arn: 'arn:aws:sts::*:assumed-role/terraform-*/*', reason: 'Terraform pipeline' },
      { arn: 'arn:aws:iam::*:role/github-actions-deploy' },
    ]);
    expect(config.correlation.windowMinutes).toBe(20);
  });

  it('reads JSON, with a byte order mark', async () => {
    const path = file('cloudblame.json', '\uFEFF{ "version": 1, "ignoreAwsServiceChanges": false }');
    expect((await loadConfigFile(path)).ignoreAwsServiceChanges).toBe(false);
  });

  it('reads .yml', async () => {
    expect((await loadConfigFile(file('c.yml', 'version: 1\n'))).version).toBe(1);
  });

  it('reports a YAML syntax error with file, line and column', async () => {
    const path = file(
      'broken.yaml',
      'version: 1\ntrustedPrincipals:\n  - arn: "arn:aws:iam::*:role/x" extra\n',
    );
    await expect(loadConfigFile(path)).rejects.toThrow(
      `${path}:3:34: invalid YAML: Unexpected scalar at node end`,
    );
  });

  it('reports a duplicate YAML key', async () => {
    const path = file('dup.yaml', 'version: 1\nversion: 1\n');
    await expect(loadConfigFile(path)).rejects.toThrow(/dup\.yaml:2:1: invalid YAML: .*unique/);
  });

  it('reports a JSON syntax error with file, line and column', async () => {
    const path = file('broken.json', '{\n  "version": 1,\n}\n');
    const error = await loadConfigFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as Error).message).toMatch(new RegExp(`^${path}:3:1: invalid JSON: `));
  });

  it('reports a bad value with the file and the key', async () => {
    const path = file('bad.yaml', 'version: 1\ncorrelation:\n  windowMinutes: 0\n');
    await expect(loadConfigFile(path)).rejects.toThrow(
      `${path}: correlation.windowMinutes must be an integer between 1 and 1,440, but 0 was provided`,
    );
  });

  it('reports an empty file', async () => {
    const path = file('empty.yaml', '# nothing yet\n');
    await expect(loadConfigFile(path)).rejects.toThrow(`${path}: the configuration file is empty`);
  });

  it('reports a missing file', async () => {
    const path = join(dir, 'absent.yaml');
    await expect(loadConfigFile(path)).rejects.toThrow(
      `${path}: cannot read the configuration file (ENOENT)`,
    );
  });

  it('rejects an unknown extension', async () => {
    await expect(loadConfigFile(file('cloudblame.toml', 'version = 1'))).rejects.toThrow(
      'must end in .json, .yaml or .yml, but ".toml" was provided',
    );
  });
});
