import { describe, expect, it } from 'vitest';
import { cloudtrailRules } from '../../../../src/core/rules/packs/cloudtrail.js';
import { alertOf, checkPack } from '../helpers.js';

describe('CloudTrail pack', () => {
  it('raises exactly the expected alerts on every fixture, with a positive and a negative case per rule', () => {
    checkPack('cloudtrail', cloudtrailRules, [
      ['stop-logging', ['cloudtrail.stop-logging']],
      // Tampering attempts alert even when they fail.
      ['stop-logging-denied', ['cloudtrail.stop-logging']],
      ['start-logging', []],
      ['delete-trail', ['cloudtrail.delete-trail']],
      ['create-trail', []],
      ['update-trail-bucket', ['cloudtrail.update-trail']],
      ['get-trail-status', []],
      ['put-event-selectors-no-management', ['cloudtrail.event-selectors-drop-management']],
      ['put-event-selectors-read-only', ['cloudtrail.event-selectors-drop-management']],
      ['put-event-selectors-all-with-data', []],
      ['put-advanced-event-selectors-data-only', ['cloudtrail.event-selectors-drop-management']],
      ['put-advanced-event-selectors-management', []],
    ]);
  });

  it('records a failed attempt with its error', () => {
    expect(alertOf('cloudtrail', 'stop-logging-denied', 'cloudtrail.stop-logging').details).toMatchObject({
      trailName: 'org-trail',
      errorCode: 'AccessDenied',
    });
  });

  it('lists the changed and the weakening trail settings', () => {
    expect(alertOf('cloudtrail', 'update-trail-bucket', 'cloudtrail.update-trail').details).toEqual({
      trailName: 'org-trail',
      changed: ['s3BucketName', 'enableLogFileValidation'],
      weakening: ['s3BucketName', 'enableLogFileValidation'],
    });
  });

  it('says which management events are still logged', () => {
    const rule = 'cloudtrail.event-selectors-drop-management';
    expect(alertOf('cloudtrail', 'put-event-selectors-no-management', rule).details).toEqual({
      trailName: 'org-trail',
      managementEventsLogged: 'none',
      selectors: 'basic',
    });
    expect(alertOf('cloudtrail', 'put-event-selectors-read-only', rule).details).toMatchObject({
      managementEventsLogged: 'read-only',
    });
    expect(alertOf('cloudtrail', 'put-advanced-event-selectors-data-only', rule).details).toMatchObject({
      managementEventsLogged: 'none',
      selectors: 'advanced',
    });
  });
});
