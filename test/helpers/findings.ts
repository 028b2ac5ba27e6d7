import { readFileSync } from 'node:fs';
import type { AlertFinding, ChangeFinding, Finding } from '../../src/core/model.js';

const dir = new URL('../fixtures/findings/', import.meta.url);

/** A finding fixture from test/fixtures/findings (written for this project). */
export function loadFinding(name: string): Finding {
  return JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Finding;
}

export function loadChange(name: string): ChangeFinding {
  const finding = loadFinding(name);
  if (finding.kind !== 'change') throw new Error(`${name} is not a change finding`);
  return finding;
}

/** The out-of-band fixture, its event blamed as a weaker match (a call in another region). */
export function weakerMatch(): ChangeFinding {
  const finding = loadChange('oob-sg-port22');
  if (finding.attribution.status !== 'attributed') throw new Error('oob-sg-port22 is not attributed');
  return { ...finding, attribution: { ...finding.attribution, caveats: ['call in us-east-1'] } };
}

export const FIXTURES = [
  'oob-sg-port22',
  'unattributed-iam-role',
  'alert-stop-logging',
  'hostile-strings',
  'hostile-10kb-name',
] as const;

/**
 * A console session's burst: `count` changes by alice within about two minutes, each to its own
 * security group, severities cycling so that ordering can be checked.
 */
export function consoleBurst(count: number, startMs = 1_717_236_000_000): ChangeFinding[] {
  const base = loadChange('oob-sg-port22');
  const severities = ['low', 'medium', 'high', 'info', 'critical'] as const;
  return Array.from({ length: count }, (_, i) => {
    const timeMs = startMs + i * 3_000;
    const id = `sg-${i.toString(16).padStart(17, '0')}`;
    const attribution =
      base.attribution.status === 'attributed'
        ? {
            ...base.attribution,
            event: { ...base.attribution.event, eventId: `event-${i}`, eventTimeMs: timeMs },
          }
        : base.attribution;
    return {
      ...base,
      severity: severities[i % severities.length] ?? 'info',
      change: {
        ...base.change,
        resourceId: id,
        resourceName: `web-sg-${i}`,
        captureTimeMs: timeMs + 60_000,
        captureTime: new Date(timeMs + 60_000).toISOString(),
      },
      attribution,
    };
  });
}

/** The stop-logging alert's event, with the details of a security group opened to the world. */
export function openToTheWorld(): AlertFinding {
  const alert = loadFinding('alert-stop-logging') as AlertFinding;
  return {
    ...alert,
    details: {
      groupId: 'sg-0123456789abcdef0',
      openRules: [
        { cidr: '0.0.0.0/0', protocol: 'tcp', ports: '22' },
        { cidr: '::/0', protocol: 'tcp', ports: '3389' },
      ],
      accounts: ['012345678901', '444455556666'],
      public: false,
    },
  };
}
