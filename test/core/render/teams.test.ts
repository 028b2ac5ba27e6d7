import { describe, expect, it } from 'vitest';
import { byteLength } from '../../../src/core/render/common.js';
import { isSafeLink } from '../../../src/core/render/links.js';
import {
  renderTeams,
  renderTeamsGroup,
  TEAMS_MAX_BYTES,
  type TeamsMessage,
} from '../../../src/core/render/teams.js';
import { consoleBurst, FIXTURES, loadFinding } from '../../helpers/findings.js';

function card(message: TeamsMessage) {
  return message.attachments[0].content;
}

function texts(message: TeamsMessage): string[] {
  return card(message).body.flatMap((element) =>
    element.type === 'TextBlock' ? [element.text] : element.facts.flatMap((f) => [f.title, f.value]),
  );
}

function expectValid(message: TeamsMessage): void {
  expect(message.type).toBe('message');
  expect(message.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  expect(card(message)).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
  expect(byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
  expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  for (const action of card(message).actions) expect(isSafeLink(action.url)).toBe(true);
}

function expectNothingInjected(message: TeamsMessage): void {
  for (const text of texts(message)) {
    // Every `[` that is not escaped opens one of our links to the AWS console.
    for (const match of text.matchAll(/(?<!\\)\[/g)) {
      expect(text.slice(match.index)).toMatch(
        /^\[(timeline|event)\]\(https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\//,
      );
    }
    expect(text).not.toContain('[x](https://evil');
    expect(text).not.toMatch(/(?<!\\)</);
    expect(text).not.toMatch(/(?<!\\)\*bold/);
    expect(text).not.toMatch(/@(channel|here|everyone)/i);
    expect(text).not.toContain('{{');
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202e');
  }
}

describe('renderTeams', () => {
  it.each(FIXTURES)('renders %s as a valid, safe Adaptive Card under 28 KB', (name) => {
    const message = renderTeams(loadFinding(name));
    expectValid(message);
    expectNothingInjected(message);
  });

  it('has the same facts as the other targets', () => {
    const message = renderTeams(loadFinding('oob-sg-port22'));
    const body = card(message).body;
    expect(body[0]).toMatchObject({
      type: 'TextBlock',
      text: '🔴 Out-of-band change · HIGH',
      color: 'Attention',
    });
    expect(body[1]).toMatchObject({
      type: 'FactSet',
      facts: expect.arrayContaining([
        { title: 'Who', value: 'alice@example.com via AWSReservedSSO_AdministratorAccess (console)' },
        { title: 'Source IP', value: '203.0.113.24' },
      ]),
    });
    expect(texts(message).join('\n')).toContain('- ingress tcp 22 from 0.0.0.0/0 added');
    expect(card(message).actions.map((a) => a.title)).toEqual([
      'Resource in the AWS console',
      'AWS Config timeline',
      'CloudTrail event',
    ]);
  });

  it('gives an unattributed change its timeline action and reason', () => {
    const message = renderTeams(loadFinding('unattributed-iam-role'));
    expect(card(message).actions.some((a) => a.title === 'AWS Config timeline')).toBe(true);
    expect(texts(message).join('\n')).toContain('Why: no CloudTrail write event');
  });
});

describe('renderTeamsGroup', () => {
  it('lists a 40-change console burst in one card, most severe first', () => {
    const message = renderTeamsGroup(consoleBurst(40));
    expectValid(message);
    expectNothingInjected(message);
    const items = texts(message).filter((text) => / \*\*(CRITICAL|HIGH|MEDIUM|LOW|INFO)\*\* /.test(text));
    expect(items).toHaveLength(40);
    expect(items[0]).toContain('**CRITICAL**');
    expect(items.at(-1)).toContain('**INFO**');
  });

  it('cuts values and then items to stay under 28 KB', () => {
    const big = Array.from({ length: 60 }, () => loadFinding('hostile-10kb-name'));
    const message = renderTeamsGroup(big, { maxItems: 60 });
    expectValid(message);
    expectNothingInjected(message);
  });
});
