import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ConfigChange } from '../../../src/core/model.js';
import { parseDocument } from '../../../src/core/parse/document.js';
import { describeProperties } from '../../../src/core/render/summarise.js';
import { readDocuments } from '../../../src/io/read-documents.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const datasets = join(root, '..', 'shared', 'datasets');

/** The changes of every JSON file of a folder of this project's Config fixtures. */
function fixtureChanges(folder: string): ConfigChange[] {
  const dir = join(root, folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => {
      const source = join(dir, name);
      return parseDocument(JSON.parse(readFileSync(source, 'utf8')) as unknown, source).changes;
    });
}

function changeIn(folder: string, file: string): ConfigChange {
  const [change] = fixtureChanges(folder).filter((c) => c.ref.source.includes(`/${file}`));
  if (change === undefined) throw new Error(`no change in ${folder}/${file}`);
  return change;
}

/** Every change gives one line per property or pair of properties, none empty. */
function expectDescribed(changes: readonly ConfigChange[]): void {
  for (const change of changes) {
    const lines = describeProperties(change.changedProperties);
    expect(lines.length).toBeLessThanOrEqual(change.changedProperties.length);
    if (change.changedProperties.length > 0) expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.trim()).not.toBe('');
  }
}

describe('describeProperties on the Config fixtures', () => {
  it("tells the examples' inline policy and network interface changes by what changed inside them", () => {
    expect(
      describeProperties(
        changeIn('examples/config', '03-iam-role-update.eventbridge.json').changedProperties,
      ),
    ).toEqual([
      'inline policy web-instance-artifacts-read: statement ReadArtifacts gains action s3:ListBucket, resource arn:aws:s3:::acme-app-artifacts-111122223333',
    ]);
    expect(
      describeProperties(changeIn('examples/config', '09-eni-update-no-event.sns.json').changedProperties),
    ).toEqual([
      'Association.PublicIp: 34.248.113.20 → 54.217.40.12',
      'Association.PublicDnsName: ec2-34-248-113-20.eu-west-1.compute.amazonaws.com → ec2-54-217-40-12.eu-west-1.compute.amazonaws.com',
      'PrivateIpAddresses: association.publicDnsName ec2-34-248-113-20.eu-west-1.compute.amazonaws.com → ec2-54-217-40-12.eu-west-1.compute.amazonaws.com, association.publicIp 34.248.113.20 → 54.217.40.12',
    ]);
  });

  it('tells a trust policy and a managed policy version of the Lambda fixtures by their statements', () => {
    expect(
      describeProperties(
        changeIn('test/fixtures/lambda', 'config-change-iam-role.eventbridge.json').changedProperties,
      ),
    ).toEqual(['trust policy: statement 1 gains principal arn:aws:iam::444455556666:root']);
    expect(
      describeProperties(
        changeIn('test/fixtures/lambda', 'iam-policy-full-notification.json').changedProperties,
      ),
    ).toEqual(['policy version v7 (default) added: Allow s3:* on *', 'DefaultVersionId: v6 → v7']);
  });

  it('describes every change of every fixture folder', () => {
    expectDescribed(
      ['examples/config', 'test/fixtures/config', 'test/fixtures/lambda'].flatMap(fixtureChanges),
    );
  });
});

describe.skipIf(!existsSync(datasets))(
  'describeProperties on the public data sets (../shared/datasets; absent in a fresh clone, so this is skipped there)',
  () => {
    it('describes every configuration item change they hold', async () => {
      const changes: ConfigChange[] = [];
      const folders = [
        'cloud-custodian',
        'aws-config-rdk',
        'asecurityteam-awsconfig-filterd',
        'asecurityteam-awsconfig-transformerd',
      ];
      for await (const read of readDocuments(folders.map((folder) => join(datasets, folder)))) {
        if ('error' in read) continue;
        changes.push(...parseDocument(read.doc, read.source).changes);
      }
      expect(changes.length).toBeGreaterThan(10);
      expectDescribed(changes);
    });
  },
);
