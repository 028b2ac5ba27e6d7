import { describe, expect, it } from 'vitest';
import {
  cachedPathCount,
  itemPath,
  keyPath,
  MAX_CACHED_PATHS,
  namePath,
} from '../../../src/core/identifiers/paths.js';

describe('identifier paths', () => {
  it('joins a key with a dot, an index in brackets, and a name with #name', () => {
    expect(keyPath('requestParameters', 'groupId')).toBe('requestParameters.groupId');
    expect(itemPath('resources', 0)).toBe('resources[0]');
    expect(namePath('requestParameters.roleArn')).toBe('requestParameters.roleArn#name');
  });

  it('gives the same string each time for the same path', () => {
    const parent = `requestParameters${'.x'.repeat(2)}`;
    const built = keyPath(parent, `${'instance'}Id`);
    expect(keyPath(parent, 'instanceId')).toBe(built);
    expect(itemPath(parent, 0)).toBe(itemPath(parent, 0));
  });

  it('keeps a key named #name apart from the name of the value', () => {
    expect(keyPath('requestParameters', '#name')).toBe('requestParameters.#name');
    expect(namePath('requestParameters')).toBe('requestParameters#name');
  });

  it('gives an item asked for out of order its right path, then the others theirs', () => {
    const parent = 'responseElements.out-of-order';
    expect(itemPath(parent, 3)).toBe(`${parent}[3]`);
    expect([0, 1, 2, 3].map((i) => itemPath(parent, i))).toEqual([0, 1, 2, 3].map((i) => `${parent}[${i}]`));
  });

  it('stays right, and within its bound, over far more paths than it keeps', () => {
    // Request keys are the caller's: distinct keys, items and nested parents without end.
    for (let n = 0; n < 3 * MAX_CACHED_PATHS; n++) {
      const parent = keyPath('requestParameters', `key${n}`);
      expect(parent).toBe(`requestParameters.key${n}`);
      expect(itemPath(parent, n % 7)).toBe(`requestParameters.key${n}[${n % 7}]`);
      expect(namePath(parent)).toBe(`requestParameters.key${n}#name`);
      if (n % 1000 === 0) expect(cachedPathCount()).toBeLessThanOrEqual(MAX_CACHED_PATHS);
    }
    expect(cachedPathCount()).toBeLessThanOrEqual(MAX_CACHED_PATHS);
    expect(keyPath('requestParameters', 'groupId')).toBe('requestParameters.groupId');
  });
});
