/** Console sign-ins: without MFA, and failed. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { at, text } from '../inspect.js';
import type { Rule } from '../model.js';
import { DETAIL_TYPE } from '../pattern.js';

function signIn(event: TrailEvent): JsonObject {
  const userName = text(event.userIdentity['userName']);
  const loginTo = text(at(event.additionalEventData, 'LoginTo'));
  return {
    userType: text(event.userIdentity['type']) ?? null,
    ...(userName !== undefined && { userName }),
    ...(event.sourceIPAddress !== undefined && { sourceIPAddress: event.sourceIPAddress }),
    ...(loginTo !== undefined && { loginTo }),
  };
}

export const signinRules: readonly Rule[] = [
  {
    id: 'signin.console-login-without-mfa',
    title: 'Console sign-in without MFA',
    severity: 'high',
    description:
      'An IAM user signed in to the console with a password alone. A leaked or guessed password is then enough to get in. Only IAM users are checked: for roles assumed through SAML, OIDC or IAM Identity Center, CloudTrail reports MFAUsed "No" because MFA happens at the identity provider, and root sign-ins raise root.console-login. Check that the user has an MFA device and that a policy requires it.',
    pattern: {
      source: ['aws.signin'],
      'detail-type': [DETAIL_TYPE.consoleSignIn],
      detail: {
        eventName: ['ConsoleLogin'],
        userIdentity: { type: ['IAMUser'] },
        additionalEventData: { MFAUsed: ['No'] },
        responseElements: { ConsoleLogin: ['Success'] },
      },
    },
    details: signIn,
  },
  {
    id: 'signin.console-login-failed',
    title: 'Failed console sign-in',
    severity: 'medium',
    description:
      'A console sign-in failed (wrong password, unknown user, or failed MFA). One failure is usually a typo; several for the same user or from an unfamiliar address suggest password guessing. Check the source address and whether a successful sign-in followed.',
    pattern: {
      source: ['aws.signin'],
      'detail-type': [DETAIL_TYPE.consoleSignIn],
      detail: { eventName: ['ConsoleLogin'], responseElements: { ConsoleLogin: ['Failure'] } },
    },
    details: signIn,
  },
];
