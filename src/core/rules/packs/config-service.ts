/** AWS Config turned off: the recorder stopped or deleted, or its delivery channel deleted. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { requestScalars } from '../inspect.js';
import type { Rule } from '../model.js';
import { apiCall } from './common.js';

function names(event: TrailEvent): JsonObject {
  return requestScalars(event, 'configurationRecorderName', 'deliveryChannelName');
}

const CHECK =
  'Failed attempts alert too. Check who did it, restart recording (StartConfigurationRecorder, PutDeliveryChannel), and review changes made while Config was blind.';

export const configServiceRules: readonly Rule[] = [
  {
    id: 'config.stop-recorder',
    title: 'AWS Config recorder stopped',
    severity: 'high',
    description: `StopConfigurationRecorder stops AWS Config from recording resource changes: configuration history, Config rules and change alerts go blind. ${CHECK}`,
    pattern: apiCall('config', ['StopConfigurationRecorder']),
    details: names,
  },
  {
    id: 'config.delete-recorder',
    title: 'AWS Config recorder deleted',
    severity: 'high',
    description: `DeleteConfigurationRecorder removes the recorder: nothing is recorded until one is created again. ${CHECK}`,
    pattern: apiCall('config', ['DeleteConfigurationRecorder']),
    details: names,
  },
  {
    id: 'config.delete-delivery-channel',
    title: 'AWS Config delivery channel deleted',
    severity: 'high',
    description: `DeleteDeliveryChannel stops AWS Config from delivering configuration snapshots and history to S3 and SNS. ${CHECK}`,
    pattern: apiCall('config', ['DeleteDeliveryChannel']),
    details: names,
  },
];
