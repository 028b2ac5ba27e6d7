/** GuardDuty turned off: the detector deleted or disabled. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { requestScalars } from '../inspect.js';
import type { Rule } from '../model.js';
import { apiCall } from './common.js';

function detector(event: TrailEvent): JsonObject {
  return requestScalars(event, 'detectorId');
}

export const guarddutyRules: readonly Rule[] = [
  {
    id: 'guardduty.delete-detector',
    title: 'GuardDuty detector deleted',
    severity: 'high',
    description:
      'Deleting the detector turns GuardDuty off in the region and discards its findings. Failed attempts alert too. Check who did it and re-enable GuardDuty; in an organization, the delegated administrator should manage detectors.',
    pattern: apiCall('guardduty', ['DeleteDetector']),
    details: detector,
  },
  {
    id: 'guardduty.disable-detector',
    title: 'GuardDuty detector disabled',
    severity: 'high',
    description:
      'UpdateDetector with enable false suspends GuardDuty in the region: no new findings until it is enabled again. Failed attempts alert too. Check who did it and re-enable the detector.',
    pattern: apiCall('guardduty', ['UpdateDetector'], { requestParameters: { enable: [false] } }),
    details: detector,
  },
];
