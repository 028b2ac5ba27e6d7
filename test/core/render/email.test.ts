import { describe, expect, it } from 'vitest';
import { byteLength } from '../../../src/core/render/common.js';
import {
  EMAIL_BODY_MAX_BYTES,
  type EmailMessage,
  emailSubject,
  renderEmail,
  renderEmailGroup,
} from '../../../src/core/render/email.js';
import { consoleBurst, FIXTURES, loadFinding } from '../../helpers/findings.js';

/** Control characters other than newline, and bidi overrides, as SNS and terminals see them. */
function hasControl(text: string): boolean {
  return [...text].some((c) => {
    const code = c.codePointAt(0) ?? 0;
    const control = (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
    return control || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
  });
}

function expectValid(message: EmailMessage): void {
  expect(message.subject.length).toBeLessThan(100);
  expect(message.subject).not.toMatch(/[\r\n\u2028\u2029]/);
  expect(hasControl(message.subject)).toBe(false);
  expect(message.subject).toMatch(/^\[cloudblame\] /);
  expect(hasControl(message.body)).toBe(false);
  expect(byteLength(message.body)).toBeLessThanOrEqual(EMAIL_BODY_MAX_BYTES);
}

describe('renderEmail', () => {
  it.each(FIXTURES)('gives %s a valid SNS subject and a plain-text body', (name) => {
    expectValid(renderEmail(loadFinding(name)));
  });

  it('has the same facts and links as the chat targets', () => {
    const { subject, body } = renderEmail(loadFinding('oob-sg-port22'));
    expect(subject).toBe(
      '[cloudblame] HIGH Out-of-band change: web-sg by alice@example.com via AWSReservedSSO_Administrator…',
    );
    expect(body).toContain(
      'Who:                 alice@example.com via AWSReservedSSO_AdministratorAccess (console)',
    );
    expect(body).toContain('  - ingress tcp 22 from 0.0.0.0/0 added');
    expect(body).toContain('  ... and 2 more');
    expect(body).toContain(
      '  AWS Config timeline: https://eu-west-1.console.aws.amazon.com/config/home?region=eu-west-1#/resources/timeline?resourceId=sg-0a1b2c3d4e5f60718&resourceType=AWS%3A%3AEC2%3A%3ASecurityGroup',
    );
    expect(body).toContain(
      '  CloudTrail event: https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/',
    );
  });

  it('strips ANSI escapes and bidi overrides from hostile values but keeps the text', () => {
    const { body, subject } = renderEmail(loadFinding('hostile-strings'));
    expect(body).toContain('red gnp.exe');
    expect(body).not.toContain('[31m');
    expect(subject).toContain('<!channel>');
  });

  it('gives an unattributed change its reason and timeline link', () => {
    const { subject, body } = renderEmail(loadFinding('unattributed-iam-role'));
    expect(subject).toBe('[cloudblame] MEDIUM Unattributed change: deploy-role');
    expect(body).toMatch(/Why:\n {2}- no CloudTrail write event/);
    expect(body).toContain(
      'AWS Config timeline: https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/resources/timeline?',
    );
  });

  it('cuts subjects to one line under 100 characters', () => {
    expect(emailSubject(`a\nb\u001b[1m ${'x'.repeat(300)}`)).toMatch(/^a b x+…$/);
    expect(emailSubject('x'.repeat(300))).toHaveLength(99);
  });
});

describe('renderEmailGroup', () => {
  it('sends a 40-change burst as one email, most severe first', () => {
    const message = renderEmailGroup(consoleBurst(40));
    expectValid(message);
    expect(message.subject).toMatch(/^\[cloudblame\] CRITICAL 40 out-of-band changes by alice@example\.com/);
    const headings = [...message.body.matchAll(/^OUT-OF-BAND CHANGE \((\w+)\)$/gm)].map((m) => m[1]);
    expect(headings).toHaveLength(40);
    expect(headings[0]).toBe('CRITICAL');
    expect(headings.at(-1)).toBe('INFO');
  });

  it('stays within the SNS limit for many huge findings', () => {
    const big = Array.from({ length: 200 }, () => loadFinding('hostile-10kb-name'));
    expectValid(renderEmailGroup(big, { maxItems: 200 }));
  });
});
