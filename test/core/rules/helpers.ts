import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { AlertFinding, JsonObject, TrailEvent } from '../../../src/core/model.js';
import { parseTrailRecord } from '../../../src/core/parse/cloudtrail.js';
import { principalOfEvent } from '../../../src/core/principal.js';
import { findingFacts } from '../../../src/core/render/facts.js';
import { evaluate, type Rule } from '../../../src/core/rules/model.js';
import { builtInRules } from '../../../src/core/rules/packs/index.js';

const fixturesDir = new URL('../../fixtures/rules/', import.meta.url).pathname;
const cache = new Map<string, Record<string, JsonObject>>();

function fixtureFile(pack: string): Record<string, JsonObject> {
  let cases = cache.get(pack);
  if (cases === undefined) {
    cases = JSON.parse(readFileSync(`${fixturesDir}${pack}.json`, 'utf8')) as Record<string, JsonObject>;
    cache.set(pack, cases);
  }
  return cases;
}

export function fixtureNames(pack: string): string[] {
  return Object.keys(fixtureFile(pack));
}

/** A record of test/fixtures/rules/<pack>.json, parsed as replay parses it. */
export function fixture(pack: string, name: string): TrailEvent {
  const cases = fixtureFile(pack);
  const record = cases[name];
  if (record === undefined) throw new Error(`no fixture "${name}" in ${pack}.json`);
  return parseTrailRecord(structuredClone(record), { source: `test/fixtures/rules/${pack}.json#${name}` });
}

export function alertsFor(event: TrailEvent, rules: readonly Rule[] = builtInRules): AlertFinding[] {
  return evaluate(rules, event, principalOfEvent(event));
}

export function alertIds(event: TrailEvent, rules: readonly Rule[] = builtInRules): string[] {
  return alertsFor(event, rules).map((alert) => alert.rule.id);
}

/** The one alert `ruleId` raises on the fixture (failing the test when there is none). */
export function alertOf(pack: string, name: string, ruleId: string): AlertFinding {
  const alert = alertsFor(fixture(pack, name)).find((candidate) => candidate.rule.id === ruleId);
  if (alert === undefined) throw new Error(`${pack}.json#${name} raises no ${ruleId} alert`);
  return alert;
}

export type Expectations = readonly (readonly [name: string, ruleIds: readonly string[]])[];

/**
 * Every fixture of the pack's fixture files is listed with the alerts it raises (over all built-in rules),
 * and every rule of the pack has a positive case and a negative case for the same service. A pack's
 * fixtures may be spread over several files (`iam.json`, `iam-web-identity.json`); names are unique across them.
 */
export function checkPack(
  packs: string | readonly string[],
  rules: readonly Rule[],
  expectations: Expectations,
): void {
  const fileOf = new Map<string, string>();
  for (const pack of typeof packs === 'string' ? [packs] : packs) {
    for (const name of fixtureNames(pack)) {
      expect(
        fileOf.get(name),
        `fixture "${name}" is in ${fileOf.get(name)}.json and ${pack}.json`,
      ).toBeUndefined();
      fileOf.set(name, pack);
    }
  }
  const load = (name: string): TrailEvent => fixture(fileOf.get(name) ?? '', name);
  expect(expectations.map(([name]) => name).sort()).toEqual([...fileOf.keys()].sort());
  for (const [name, ids] of expectations) {
    expect({ name, ids: alertIds(load(name)) }).toEqual({ name, ids });
  }
  for (const rule of rules) {
    const positives = expectations.filter(([, ids]) => ids.includes(rule.id));
    expect(positives.length, `${rule.id} has no positive case`).toBeGreaterThan(0);
    const sources = new Set(positives.map(([name]) => load(name).eventSource));
    const negatives = expectations.filter(
      ([name, ids]) => !ids.includes(rule.id) && sources.has(load(name).eventSource),
    );
    expect(negatives.length, `${rule.id} has no negative case`).toBeGreaterThan(0);
  }
}

/** An object whose values are all scalars: its detail reads as key=value pairs. */
function isFlat(value: object): boolean {
  return Object.values(value).every((v) => v === null || typeof v !== 'object');
}

/**
 * Expects each of an alert's details to read as text in its facts (`key: …`), with no JSON left in a list
 * of scalars or of flat objects; returns how many such lists it checked.
 */
export function expectDetailsAsText(alert: AlertFinding): number {
  const lines = findingFacts(alert).details;
  let lists = 0;
  Object.entries(alert.details).forEach(([key, value], i) => {
    expect(lines[i]?.startsWith(`${key}: `), `${alert.rule.id} ${key}`).toBe(true);
    if (!Array.isArray(value) || value.length === 0) return;
    lists += 1;
    if (value.every((item) => typeof item !== 'object' || item === null || isFlat(item)))
      expect(lines[i], `${alert.rule.id} ${key}`).not.toMatch(/[[{]"/);
  });
  return lists;
}
