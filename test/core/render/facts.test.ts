import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingFacts, headline } from '../../../src/core/render/facts.js';
import { loadFinding, openToTheWorld, weakerMatch } from '../../helpers/findings.js';
import { alertsFor, expectDetailsAsText, fixture, fixtureNames } from '../rules/helpers.js';

const rulesFixtures = new URL('../../fixtures/rules/', import.meta.url).pathname;

describe('findingFacts', () => {
  it('says who, what, how, when and what changed for an out-of-band change', () => {
    const facts = findingFacts(loadFinding('oob-sg-port22'));
    expect(facts.category).toBe('out-of-band-change');
    expect(facts.kindLabel).toBe('Out-of-band change');
    expect(facts.severity).toBe('high');
    const value = (key: string) => facts.fields.find((f) => f.key === key)?.value;
    expect(value('who')).toBe('alice@example.com via AWSReservedSSO_AdministratorAccess (console)');
    expect(value('principal')).toContain(':assumed-role/AWSReservedSSO_AdministratorAccess_');
    expect(value('resource')).toBe('AWS::EC2::SecurityGroup web-sg (sg-0a1b2c3d4e5f60718)');
    expect(value('how')).toBe('AWS console');
    expect(value('sourceIp')).toBe('203.0.113.24');
    expect(value('userAgent')).toContain('Mozilla/5.0');
    expect(value('eventTime')).toBe('2024-06-01T10:00:00.000Z');
    expect(value('captureTime')).toBe('2024-06-01T10:02:31.512Z');
    expect(facts.details[0]).toBe('ingress tcp 22 from 0.0.0.0/0 added');
    expect(facts.details.at(-1)).toMatch(/^relationship /);
    expect(facts.links.map((l) => l.kind)).toEqual(['resource', 'config-timeline', 'cloudtrail-event']);
    expect(headline(facts)).toBe(
      'Out-of-band change: AWS::EC2::SecurityGroup web-sg (sg-0a1b2c3d4e5f60718) by alice@example.com via AWSReservedSSO_AdministratorAccess (console)',
    );
  });

  it('says in "matched on" that a match is weaker, and why', () => {
    const facts = findingFacts(weakerMatch());
    expect(facts.fields.find((f) => f.key === 'matched')?.value).toMatch(
      /via index; weaker match: call in us-east-1/,
    );
  });

  it('gives an unattributed change its Config timeline link and the reason', () => {
    const facts = findingFacts(loadFinding('unattributed-iam-role'));
    expect(facts.category).toBe('unattributed-change');
    expect(facts.who).toBeUndefined();
    expect(facts.reasons[0]).toMatch(/^no CloudTrail write event/);
    const timeline = facts.links.find((l) => l.kind === 'config-timeline');
    expect(timeline?.url).toContain(
      'https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/resources/timeline?',
    );
    expect(facts.links.find((l) => l.kind === 'resource')?.url).toBe(
      'https://console.aws.amazon.com/iam/home#/roles/details/deploy-role',
    );
    expect(facts.links.some((l) => l.kind === 'cloudtrail-event')).toBe(false);
  });

  it('describes an alert by its rule, event and principal', () => {
    const facts = findingFacts(loadFinding('alert-stop-logging'));
    expect(facts.category).toBe('critical-action');
    expect(facts.severity).toBe('critical');
    expect(facts.title).toBe('CloudTrail logging stopped');
    expect(facts.fields.find((f) => f.key === 'event')?.value).toBe('StopLogging (cloudtrail.amazonaws.com)');
    expect(facts.details).toEqual(['trailName: arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail']);
    expect(facts.links[0]?.url).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f',
    );
  });

  it('reads an alert detail that is a list of rules as key=value pairs, not JSON', () => {
    expect(findingFacts(openToTheWorld()).details).toEqual([
      'groupId: sg-0123456789abcdef0',
      'openRules: cidr=0.0.0.0/0 protocol=tcp ports=22, cidr=::/0 protocol=tcp ports=3389',
      'accounts: 012345678901, 444455556666',
      'public: false',
    ]);
  });

  it("reads every rule fixture's alert details as text: lists joined, flat objects as key=value", () => {
    let lists = 0;
    for (const pack of readdirSync(rulesFixtures).filter((file) => file.endsWith('.json'))) {
      const name = pack.replace(/\.json$/, '');
      for (const record of fixtureNames(name)) {
        for (const alert of alertsFor(fixture(name, record))) lists += expectDetailsAsText(alert);
      }
    }
    expect(lists).toBeGreaterThan(5);
  });

  it('adds the archive link when there is one and drops unsafe ones', () => {
    const finding = loadFinding('alert-stop-logging');
    const withArchive = findingFacts(finding, { archiveUrl: () => 'https://archive.example.com/raw/1' });
    expect(withArchive.links.find((l) => l.kind === 'archive')?.url).toBe(
      'https://archive.example.com/raw/1',
    );
    const unsafe = findingFacts(finding, { archiveUrl: () => 'javascript:alert(1)' });
    expect(unsafe.links.some((l) => l.kind === 'archive')).toBe(false);
  });

  it('says a resource was deleted when Config lists no properties, and links no console page for it', () => {
    const finding = loadFinding('oob-sg-port22');
    if (finding.kind !== 'change') throw new Error('fixture');
    const deleted = {
      ...finding,
      change: { ...finding.change, changeType: 'DELETE' as const, changedProperties: [] },
    };
    const facts = findingFacts(deleted);
    expect(facts.details).toEqual(['Resource deleted']);
    expect(facts.links.some((l) => l.kind === 'resource')).toBe(false);
  });
});
