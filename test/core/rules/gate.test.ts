import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrailEvent } from '../../../src/core/model.js';
import { parseTrailRecord } from '../../../src/core/parse/cloudtrail.js';
import { principalOfEvent } from '../../../src/core/principal.js';
import { RuleGate } from '../../../src/core/rules/gate.js';
import { evaluate, type Rule, type RuleSet } from '../../../src/core/rules/model.js';
import { builtInRules } from '../../../src/core/rules/packs/index.js';
import { type EnvelopeKey, type EventPattern, patternGate } from '../../../src/core/rules/pattern.js';
import { datasetRecords, datasetsDir } from '../../helpers/dataset-records.js';

const fixturesDir = new URL('../../fixtures/rules/', import.meta.url).pathname;

function fixtureEvents(): TrailEvent[] {
  const events: TrailEvent[] = [];
  for (const file of readdirSync(fixturesDir).filter((f) => f.endsWith('.json'))) {
    const cases = JSON.parse(readFileSync(join(fixturesDir, file), 'utf8')) as Record<string, unknown>;
    for (const [name, record] of Object.entries(cases)) {
      events.push(parseTrailRecord(structuredClone(record), { source: `${file}#${name}` }));
    }
  }
  return events;
}

function ids(rules: readonly Rule[], event: TrailEvent): string[] {
  return evaluate(rules, event, principalOfEvent(event)).map((alert) => alert.rule.id);
}

const ruleSet: RuleSet = { rules: builtInRules, suppressions: [] };

function key(overrides: Partial<EnvelopeKey> = {}): EnvelopeKey {
  return {
    source: 'aws.iam',
    detailType: 'AWS API Call via CloudTrail',
    eventName: 'CreateUser',
    identityType: 'IAMUser',
    ...overrides,
  };
}

describe('patternGate', () => {
  it('rules out an event whose source, detail type, event name or identity type the pattern excludes', () => {
    const gate = patternGate({
      source: ['aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventName: ['CreateUser', { prefix: 'AddPermission' }], userIdentity: { type: ['IAMUser'] } },
    });
    expect(gate(key())).toBe(true);
    expect(gate(key({ eventName: 'AddPermission20150331v2' }))).toBe(true);
    expect(gate(key({ source: 'aws.s3' }))).toBe(false);
    expect(gate(key({ detailType: 'AWS Service Event via CloudTrail' }))).toBe(false);
    expect(gate(key({ eventName: 'DeleteUser' }))).toBe(false);
    expect(gate(key({ identityType: 'Root' }))).toBe(false);
    // Not a string in the record: the gate cannot tell, so it lets the event through.
    expect(gate(key({ identityType: undefined }))).toBe(true);
  });

  it('lets everything through for a field it cannot read (operators, $or)', () => {
    const patterns: EventPattern[] = [
      { detail: { eventName: [{ 'anything-but': 'ConsoleLogin' }] } },
      { $or: [{ source: ['aws.iam'] }, { source: ['aws.s3'] }] },
      { source: [{ 'equals-ignore-case': 'AWS.IAM' }] },
    ];
    for (const pattern of patterns)
      expect(patternGate(pattern)(key({ source: 'aws.ec2', eventName: 'X' }))).toBe(true);
  });
});

describe('RuleGate', () => {
  it('gives the same alerts as every rule, on every fixture of the rule packs', () => {
    const gate = new RuleGate(ruleSet);
    const events = fixtureEvents();
    expect(events.length).toBeGreaterThan(50);
    for (const event of events) {
      expect(ids(gate.rulesFor(event).rules, event), event.ref.source).toEqual(ids(builtInRules, event));
    }
  });

  it('keeps the rules in their order and the suppressions', () => {
    const suppressions = [{ ruleId: 'iam.*', reason: 'test' }];
    const gate = new RuleGate({ rules: builtInRules, suppressions });
    const event = fixtureEvents()[0]!;
    const subset = gate.rulesFor(event);
    expect(subset.suppressions).toBe(suppressions);
    const order = builtInRules.filter((rule) => subset.rules.includes(rule));
    expect(subset.rules).toEqual(order);
    // The same object for the same kind of event: the cache answers.
    expect(gate.rulesFor(event)).toBe(subset);
  });

  const datasets = join(datasetsDir, 'invictus-ir-aws-dataset');
  it.skipIf(!existsSync(datasets))(
    'gives the same alerts as every rule on the public data sets (../shared/datasets; skipped when absent)',
    () => {
      const gate = new RuleGate(ruleSet);
      let compared = 0;
      for (const dir of ['invictus-ir-aws-dataset', 'stratus-red-team']) {
        if (!existsSync(join(datasetsDir, dir))) continue;
        for (const { file, record } of datasetRecords(join(datasetsDir, dir))) {
          let event: TrailEvent;
          try {
            event = parseTrailRecord(record, { source: file });
          } catch {
            continue;
          }
          expect(ids(gate.rulesFor(event).rules, event), file).toEqual(ids(builtInRules, event));
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(1000);
    },
  );
});
