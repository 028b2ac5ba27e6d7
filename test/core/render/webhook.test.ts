import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  renderWebhook,
  renderWebhookGroup,
  WEBHOOK_SCHEMA_VERSION,
} from '../../../src/core/render/webhook.js';
import { consoleBurst, FIXTURES, loadChange, loadFinding, weakerMatch } from '../../helpers/findings.js';

const doc = readFileSync(new URL('../../../docs/webhook-payload.md', import.meta.url), 'utf8');

function documentedExample(heading: string): unknown {
  const section = doc.slice(doc.indexOf(heading));
  const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined) throw new Error(`no example under ${heading}`);
  return JSON.parse(block);
}

describe('renderWebhook', () => {
  it.each(FIXTURES)('renders %s as versioned JSON that survives a round trip', (name) => {
    const payload = renderWebhook(loadFinding(name));
    expect(payload.schemaVersion).toBe(WEBHOOK_SCHEMA_VERSION);
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
  });

  it('matches the documented examples exactly', () => {
    expect(renderWebhook(loadFinding('oob-sg-port22'))).toEqual(
      documentedExample('## Example: an out-of-band change'),
    );
    expect(renderWebhook(loadFinding('alert-stop-logging'))).toEqual(
      documentedExample('## Example: a critical action'),
    );
  });

  it('gives a weaker match its caveats (a clean one has none, as the documented example shows)', () => {
    const payload = renderWebhook(weakerMatch());
    expect(payload.finding['attribution']).toMatchObject({
      status: 'attributed',
      caveats: ['call in us-east-1'],
    });
  });

  it('passes hostile strings through raw, for the receiver to escape', () => {
    const finding = loadChange('hostile-strings');
    const payload = renderWebhook(finding);
    const parsed = JSON.parse(JSON.stringify(payload)) as { finding: { resource: { name: string } } };
    expect(parsed.finding.resource.name).toBe(finding.change.resourceName);
    expect(Object.values(payload.links).every((url) => url.startsWith('https://'))).toBe(true);
  });

  it('describes an unattributed change with its reason and timeline link', () => {
    const payload = renderWebhook(loadFinding('unattributed-iam-role'));
    expect(payload.category).toBe('unattributed-change');
    expect(payload.finding['attribution']).toEqual({
      status: 'unattributed',
      reason: expect.stringMatching(/^no CloudTrail write event/),
    });
    expect(payload.links.configTimeline).toContain('#/resources/timeline?resourceId=AROAEXAMPLEROLE000002');
    expect(payload.links.cloudTrailEvent).toBeUndefined();
  });
});

describe('renderWebhookGroup', () => {
  it('sends every finding of a burst, most severe first', () => {
    const payload = renderWebhookGroup(consoleBurst(40));
    expect(payload).toMatchObject({ schemaVersion: '1.0', kind: 'group', severity: 'critical', count: 40 });
    expect(payload.findings).toHaveLength(40);
    expect(payload.findings.map((f) => f.severity).slice(0, 8)).toEqual(Array(8).fill('critical'));
    expect(payload.findings.at(-1)?.severity).toBe('info');
    expect(payload.startTime).toBe('2024-06-01T10:00:00.000Z');
    expect(payload.endTime).toBe('2024-06-01T10:01:57.000Z');
  });
});
