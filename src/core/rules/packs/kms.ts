/** KMS keys scheduled for deletion or disabled: data encrypted under them becomes unreadable. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { requestScalars, response, text } from '../inspect.js';
import type { Rule } from '../model.js';
import { apiCall, SUCCEEDED } from './common.js';

function key(event: TrailEvent): JsonObject {
  const deletionDate = text(response(event, 'deletionDate'));
  return {
    ...requestScalars(event, 'keyId', 'pendingWindowInDays'),
    ...(deletionDate !== undefined && { deletionDate }),
  };
}

export const kmsRules: readonly Rule[] = [
  {
    id: 'kms.schedule-key-deletion',
    title: 'KMS key scheduled for deletion',
    severity: 'high',
    description:
      'A KMS key was scheduled for deletion: when the waiting period ends (`deletionDate`), everything encrypted under it (volumes, snapshots, S3 objects, secrets, backups) is lost for good. Attackers use it for ransom. Check that the key is unused; CancelKeyDeletion undoes it until the date.',
    pattern: apiCall('kms', ['ScheduleKeyDeletion'], { ...SUCCEEDED }),
    details: key,
  },
  {
    id: 'kms.disable-key',
    title: 'KMS key disabled',
    severity: 'medium',
    description:
      'A KMS key was disabled: every service that decrypts with it starts failing until it is enabled again. Check that the key is not in use, or re-enable it (EnableKey).',
    pattern: apiCall('kms', ['DisableKey'], { ...SUCCEEDED }),
    details: key,
  },
];
