import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCloudTrailDocument } from '../../../src/core/parse/cloudtrail.js';
import { datasetsDir } from '../../helpers/dataset-records.js';
import { alertIds, alertsFor, expectDetailsAsText } from './helpers.js';

const dir = join(datasetsDir, 'stratus-red-team');

/**
 * Techniques a built-in pack plainly covers, with the alerts their detonation must raise. Every other
 * technique (credential access, discovery, execution, ...) must raise nothing: the packs are about
 * critical changes, and a noisy pack is a pack people switch off.
 */
const expected: Record<string, readonly string[]> = {
  'aws.defense-evasion.cloudtrail-delete': ['cloudtrail.delete-trail'],
  'aws.defense-evasion.cloudtrail-event-selectors': ['cloudtrail.event-selectors-drop-management'],
  'aws.defense-evasion.cloudtrail-stop': ['cloudtrail.stop-logging'],
  'aws.defense-evasion.dns-delete-logs': ['network.dns-query-logging-deleted'],
  // The detonation's LeaveOrganization is denied: an attempt to leave alerts too.
  'aws.defense-evasion.organizations-leave': ['organizations.leave-organization'],
  'aws.defense-evasion.vpc-remove-flow-logs': ['network.flow-logs-deleted'],
  'aws.exfiltration.ec2-security-group-open-port-22-ingress': ['network.security-group-open-to-world'],
  'aws.exfiltration.ec2-share-ami': ['sharing.ami-shared'],
  'aws.exfiltration.ec2-share-ebs-snapshot': ['sharing.ebs-snapshot-shared'],
  'aws.exfiltration.rds-share-snapshot': ['sharing.rds-snapshot-shared'],
  'aws.initial-access.console-login-without-mfa': ['signin.console-login-without-mfa'],
  'aws.persistence.iam-backdoor-role': ['iam.role-trusts-outsider'],
  'aws.persistence.iam-backdoor-user': ['iam.create-access-key'],
  'aws.persistence.iam-create-admin-user': [
    'iam.attach-admin-policy',
    'iam.create-access-key',
    'iam.create-user',
  ],
  'aws.persistence.iam-create-backdoor-role': ['iam.attach-admin-policy', 'iam.role-trusts-outsider'],
  'aws.persistence.iam-create-user-login-profile': ['iam.create-login-profile'],
  'aws.persistence.lambda-backdoor-function': ['lambda.permission-public'],
  'aws.privilege-escalation.iam-update-user-login-profile': ['iam.update-login-profile'],
};

describe.skipIf(!existsSync(dir))(
  'Stratus Red Team detonations (../shared/datasets/stratus-red-team; absent in a fresh clone, so skipped)',
  () => {
    // The callback of a skipped describe still runs to collect its tests: read nothing when the data is absent.
    const techniques = (existsSync(dir) ? readdirSync(dir) : [])
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => {
        const parsed = parseCloudTrailDocument(JSON.parse(readFileSync(join(dir, file), 'utf8')), file);
        const alerts = [...new Set(parsed.events.flatMap((event) => alertIds(event)))].sort();
        return {
          findings: parsed.events.flatMap((event) => alertsFor(event)),
          technique: file.replace(/\.json$/, ''),
          events: parsed.events.length,
          errors: parsed.errors,
          alerts,
        };
      });

    it("reads every detonation's alert details as text: lists joined, flat objects as key=value", () => {
      const lists = techniques.reduce(
        (sum, row) => sum + row.findings.reduce((n, alert) => n + expectDetailsAsText(alert), 0),
        0,
      );
      expect(lists).toBeGreaterThan(3);
    });

    it('prints which techniques raised which alerts', () => {
      const width = Math.max(...techniques.map((row) => row.technique.length));
      const lines = techniques.map(
        (row) =>
          `${row.technique.padEnd(width)}  ${String(row.events).padStart(3)} events  ${row.alerts.join(', ') || '-'}`,
      );
      console.log(`Stratus Red Team technique -> alerts\n${lines.join('\n')}`);
      expect(techniques.every((row) => row.errors.length === 0)).toBe(true);
    });

    it('alerts on every technique a built-in pack covers, and on nothing else', () => {
      const actual = Object.fromEntries(
        techniques.filter((row) => row.alerts.length > 0).map((row) => [row.technique, row.alerts]),
      );
      expect(actual).toEqual(expected);
    });
  },
);
