import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/model.js';
import { permissionsText } from '../../src/core/permissions-text.js';
import { summariseRequest } from '../../src/core/timeline.js';
import { datasetRecords, datasetsDir } from '../helpers/dataset-records.js';

const rule = (port: number, ...cidrs: string[]) => ({
  ipProtocol: 'tcp',
  fromPort: port,
  toPort: port,
  ipRanges: { items: cidrs.map((cidrIp) => ({ cidrIp })) },
});

describe('permissionsText', () => {
  it('counts the rules and addresses beyond what a line can hold', () => {
    const many = { items: Array.from({ length: 10 }, (_, i) => rule(1000 + i, '10.0.0.0/8')) };
    expect(permissionsText(many)).toMatch(
      /^tcp 1000: 10\.0\.0\.0\/8; .*tcp 1007: 10\.0\.0\.0\/8; and 2 more rules$/,
    );
    const wide = rule(22, ...Array.from({ length: 9 }, (_, i) => `10.0.${i}.0/24`));
    expect(permissionsText([wide])).toBe(
      'tcp 22: 10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24, 10.0.3.0/24, 10.0.4.0/24, 10.0.5.0/24 and 3 more',
    );
  });

  it('reads a rule without addresses or ports, and leaves what holds no rule to the generic summary', () => {
    expect(permissionsText({ items: [{ ipProtocol: 'icmp', fromPort: -1, toPort: -1 }] })).toBe(
      'icmp all ports',
    );
    expect(permissionsText({ items: [] })).toBeUndefined();
    expect(permissionsText('tcp 22')).toBeUndefined();
    expect(permissionsText({ items: ['x', 3, null] })).toBeUndefined();
  });
});

describe.skipIf(!existsSync(datasetsDir))(
  'security group rules of the public data sets (../shared/datasets; absent in a fresh clone, so skipped)',
  () => {
    it('reads every ipPermissions request as rules, each port with its addresses', () => {
      let rules = 0;
      const folders = ['stratus-red-team', 'invictus-ir-aws-dataset'].map((folder) =>
        join(datasetsDir, folder),
      );
      for (const { file, record } of folders.flatMap((folder) => datasetRecords(folder))) {
        const params = (record as { requestParameters?: unknown }).requestParameters;
        if (typeof params !== 'object' || params === null || !('ipPermissions' in params)) continue;
        const summary = summariseRequest(params as JsonObject);
        const text = summary['ipPermissions'];
        if (text === undefined) continue; // a request with an empty rule list
        rules += 1;
        expect(text, file).toMatch(/^(all traffic|\w+ (all ports|[\d-]+))(: \S)?/);
        expect(
          Object.keys(summary).filter((key) => key.startsWith('ipPermissions.')),
          file,
        ).toEqual([]);
      }
      expect(rules).toBeGreaterThan(0);
    });
  },
);
