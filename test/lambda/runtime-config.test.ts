import { describe, expect, it } from 'vitest';
import { ConfigFileError } from '../../src/core/errors.js';
import { CONFIG_FILE_NAME, loadRuntimeConfig } from '../../src/lambda/runtime-config.js';

const bundled = JSON.stringify({
  version: 1,
  trustedPrincipals: [{ arn: 'arn:aws:sts::*:assumed-role/terraform-*/*', reason: 'Terraform' }],
  notifications: {
    channels: [
      {
        name: 'security',
        type: 'slack',
        url: { secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:cloudblame/slack-AbCdEf' },
        minSeverity: 'medium',
      },
    ],
  },
  rules: { disable: ['signin.*'] },
});

function files(entries: Record<string, string>) {
  const read: string[] = [];
  return {
    read,
    readFile: (path: string) => {
      read.push(path);
      return entries[path];
    },
  };
}

describe('loadRuntimeConfig', () => {
  it('reads cloudblame.config.json beside the handler first', () => {
    const fs = files({ [`/var/task/${CONFIG_FILE_NAME}`]: bundled });
    const runtime = loadRuntimeConfig({
      env: { LAMBDA_TASK_ROOT: '/var/task', CLOUDBLAME_CONFIG: '{"version": 1}' },
      readFile: fs.readFile,
    });
    expect(runtime.source).toBe('/var/task/cloudblame.config.json');
    expect(runtime.config.notifications.channels.map((c) => c.name)).toEqual(['security']);
    expect(runtime.config.trustedPrincipals).toHaveLength(1);
    expect(runtime.config.rules.disable).toEqual(['signin.*']);
  });

  it('falls back to CLOUDBLAME_CONFIG, then to the defaults', () => {
    const none = files({});
    const inline = loadRuntimeConfig({
      env: { CLOUDBLAME_CONFIG: bundled },
      dirs: ['/var/task'],
      readFile: none.readFile,
    });
    expect(inline.source).toBe('CLOUDBLAME_CONFIG');
    expect(inline.config.notifications.channels).toHaveLength(1);
    const defaults = loadRuntimeConfig({ env: {}, dirs: ['/var/task'], readFile: none.readFile });
    expect(defaults.source).toBe('defaults');
    expect(defaults.config.correlation.windowMinutes).toBe(15);
    expect(none.read).toEqual(['/var/task/cloudblame.config.json', '/var/task/cloudblame.config.json']);
  });

  it('fails the cold start on an invalid configuration, naming the key', () => {
    const withUrl = JSON.stringify({
      version: 1,
      notifications: {
        channels: [{ name: 'x', type: 'slack', url: 'https://hooks.slack.com/services/T/B/C' }],
      },
    });
    const error = (() => {
      try {
        loadRuntimeConfig({ env: { CLOUDBLAME_CONFIG: withUrl }, dirs: [], readFile: () => undefined });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as ConfigFileError).message).toMatch(
      /^CLOUDBLAME_CONFIG: .*notifications\.channels\[0\]\.url/,
    );
    expect(() =>
      loadRuntimeConfig({
        env: { CLOUDBLAME_CONFIG: '{"version": 1,' },
        dirs: [],
        readFile: () => undefined,
      }),
    ).toThrow(/CLOUDBLAME_CONFIG: invalid JSON/);
  });
});
