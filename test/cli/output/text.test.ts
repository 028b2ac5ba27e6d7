import { describe, expect, it } from 'vitest';
import { wrap } from '../../../src/cli/output/text.js';

describe('wrap', () => {
  it('breaks at spaces and never inside a word that fits on a line (an id stays whole to copy)', () => {
    const text =
      'clientToken=terraform-20261118_subnet-0b8f2e1d4c3a59687_1 launchTemplateId=lt-0d4c3b2a190817263';
    const lines = wrap(text, 40);
    expect(lines).toEqual([
      'clientToken=terraform-20261118_subnet-0b8f2e1d4c3a59687_1'.slice(0, 40),
      'clientToken=terraform-20261118_subnet-0b8f2e1d4c3a59687_1'.slice(40),
      'launchTemplateId=lt-0d4c3b2a190817263',
    ]);
    expect(wrap('a=1 launchTemplateId=lt-0d4c3b2a190817263', 40)).toEqual([
      'a=1',
      'launchTemplateId=lt-0d4c3b2a190817263',
    ]);
  });

  it('keeps every line within the width, cutting only a word longer than a line', () => {
    const lines = wrap(`name=${'x'.repeat(95)} tail`, 30);
    expect(lines.every((line) => line.length <= 30)).toBe(true);
    expect(lines).toEqual([
      `name=${'x'.repeat(25)}`,
      'x'.repeat(30),
      'x'.repeat(30),
      `${'x'.repeat(10)} tail`,
    ]);
  });
});
