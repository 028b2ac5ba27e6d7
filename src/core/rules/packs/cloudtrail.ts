/** CloudTrail tampering: logging stopped, trails deleted or changed, management events dropped. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { isObject, list, request, text } from '../inspect.js';
import { type ConditionResult, matched, notMatched, type Rule, undetermined } from '../model.js';
import { apiCall } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Logic

function trailName(event: TrailEvent): JsonObject {
  const name = text(request(event, 'name')) ?? text(request(event, 'trailName'));
  return name === undefined ? {} : { trailName: name };
}

/** Settings whose change weakens a trail, with the value that weakens it. */
const WEAKENING: readonly [string, (value: unknown) => boolean][] = [
  ['s3BucketName', (value) => value !== undefined],
  ['isMultiRegionTrail', (value) => value === false],
  ['includeGlobalServiceEvents', (value) => value === false],
  ['enableLogFileValidation', (value) => value === false],
  ['kmsKeyId', (value) => value === ''],
  ['isOrganizationTrail', (value) => value === false],
];

function trailUpdate(event: TrailEvent): JsonObject {
  const parameters = event.requestParameters ?? {};
  const changed = Object.keys(parameters).filter((key) => key !== 'name');
  const weakening = WEAKENING.filter(([key, weakens]) => key in parameters && weakens(parameters[key])).map(
    ([key]) => key,
  );
  return { ...trailName(event), changed, weakening };
}

interface Coverage {
  reads: boolean;
  writes: boolean;
}

function valuesOf(selector: JsonObject, key: string): string[] | undefined {
  const found = Object.keys(selector).find((name) => name.toLowerCase() === key);
  if (found === undefined) return undefined;
  return list(selector[found]).map(String);
}

/** What the classic event selectors log of management events (includeManagementEvents defaults to true). */
function basicCoverage(selectors: readonly unknown[]): Coverage {
  const coverage: Coverage = { reads: false, writes: false };
  for (const selector of selectors.filter(isObject)) {
    if (selector['includeManagementEvents'] === false) continue;
    const readWrite = text(selector['readWriteType']) ?? 'All';
    if (readWrite !== 'WriteOnly') coverage.reads = true;
    if (readWrite !== 'ReadOnly') coverage.writes = true;
  }
  return coverage;
}

/** What the advanced event selectors log of management events: a selector needs eventCategory = Management. */
function advancedCoverage(selectors: readonly unknown[]): Coverage {
  const coverage: Coverage = { reads: false, writes: false };
  for (const selector of selectors.filter(isObject)) {
    const fields = list(selector['fieldSelectors'] ?? selector['FieldSelectors']).filter(isObject);
    const fieldNamed = (name: string) =>
      fields.find((item) => text(item['field'] ?? item['Field'])?.toLowerCase() === name.toLowerCase());
    const category = fieldNamed('eventCategory');
    if (category === undefined || !(valuesOf(category, 'equals') ?? []).includes('Management')) continue;
    const readOnly = fieldNamed('readOnly');
    const equals = readOnly === undefined ? undefined : valuesOf(readOnly, 'equals');
    const notEquals = readOnly === undefined ? undefined : valuesOf(readOnly, 'notequals');
    const onlyReads = equals?.includes('true') === true || notEquals?.includes('false') === true;
    const onlyWrites = equals?.includes('false') === true || notEquals?.includes('true') === true;
    if (!onlyWrites) coverage.reads = true;
    if (!onlyReads) coverage.writes = true;
  }
  return coverage;
}

/** The trail no longer logs write management events (the API calls that change things). */
function dropsManagementEvents(event: TrailEvent): ConditionResult {
  const basic = request(event, 'eventSelectors');
  const advanced = request(event, 'advancedEventSelectors');
  if (!Array.isArray(basic) && !Array.isArray(advanced)) {
    return undetermined(
      'the request has neither eventSelectors nor advancedEventSelectors',
      trailName(event),
    );
  }
  const coverage = Array.isArray(advanced) ? advancedCoverage(advanced) : basicCoverage(basic as unknown[]);
  if (coverage.writes) return notMatched('write management events are still logged');
  return matched({
    ...trailName(event),
    managementEventsLogged: coverage.reads ? 'read-only' : 'none',
    selectors: Array.isArray(advanced) ? 'advanced' : 'basic',
  });
}

// ---------------------------------------------------------------------------------------------------------
// Rules

export const cloudtrailRules: readonly Rule[] = [
  {
    id: 'cloudtrail.stop-logging',
    title: 'CloudTrail logging stopped',
    severity: 'critical',
    description:
      'StopLogging turns a trail off: nothing done afterwards is recorded by it, which is why attackers do it first. Failed attempts alert too. Check who did it, restart logging (StartLogging), and review what happened between this call and the restart.',
    pattern: apiCall('cloudtrail', ['StopLogging']),
    details: trailName,
  },
  {
    id: 'cloudtrail.delete-trail',
    title: 'CloudTrail trail deleted',
    severity: 'critical',
    description:
      "A trail was deleted: the account stops recording API activity to that trail's bucket. Failed attempts alert too. Check whether another trail still covers every region, recreate the trail if not, and review who could delete it.",
    pattern: apiCall('cloudtrail', ['DeleteTrail']),
    details: trailName,
  },
  {
    id: 'cloudtrail.update-trail',
    title: 'CloudTrail trail changed',
    severity: 'medium',
    description:
      "A trail's settings changed. Moving logs to another bucket, making the trail single-region, dropping global service events or turning off log file validation (listed in `weakening`) all hide activity. Check each changed setting against your logging baseline.",
    pattern: apiCall('cloudtrail', ['UpdateTrail']),
    details: trailUpdate,
  },
  {
    id: 'cloudtrail.event-selectors-drop-management',
    title: 'CloudTrail stops logging management events',
    severity: 'high',
    description:
      "PutEventSelectors set a trail to skip write management events (includeManagementEvents false, readWriteType ReadOnly, or advanced selectors without eventCategory = Management): the trail keeps running but no longer records the calls that change resources. Check the trail's selectors and restore management events.",
    pattern: apiCall('cloudtrail', ['PutEventSelectors']),
    condition: dropsManagementEvents,
  },
];
