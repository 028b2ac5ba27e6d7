import type { ConfigChange } from '../../src/core/model.js';

export type ConfigChangeInput = Partial<ConfigChange> &
  Pick<ConfigChange, 'resourceType' | 'resourceId' | 'captureTime'>;

/** A ConfigChange with plain defaults (UPDATE, account 111122223333, us-east-1) for what is not given. */
export function configChange(input: ConfigChangeInput): ConfigChange {
  return {
    accountId: '111122223333',
    awsRegion: 'us-east-1',
    changeType: 'UPDATE',
    changedProperties: [],
    tags: {},
    relatedEvents: [],
    oversized: false,
    envelope: 'bare-ci',
    ref: { source: 'test' },
    ...input,
    captureTimeMs: input.captureTimeMs ?? Date.parse(input.captureTime),
  };
}
