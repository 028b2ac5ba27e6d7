/** The root user: any use of it, and signing in to the console with it. */
import type { JsonObject, TrailEvent } from '../../model.js';
import { at, text } from '../inspect.js';
import type { Rule } from '../model.js';
import { DETAIL_TYPE } from '../pattern.js';

function rootCall(event: TrailEvent): JsonObject {
  return { eventSource: event.eventSource, eventName: event.eventName };
}

function rootLogin(event: TrailEvent): JsonObject {
  const mfaUsed = text(at(event.additionalEventData, 'MFAUsed'));
  return mfaUsed === undefined ? {} : { mfaUsed };
}

export const rootRules: readonly Rule[] = [
  {
    id: 'root.activity',
    title: 'Root user activity',
    severity: 'high',
    description:
      'The root user did something other than signing in. Root cannot be limited by IAM policies and is needed for only a handful of tasks, so any use deserves a look (this is the CIS "root account usage" check: `userIdentity.type` is Root, not invoked by an AWS service, not a service event). Check who holds the root credentials, that the task needed root, and that root has MFA.',
    pattern: {
      detail: {
        userIdentity: { type: ['Root'], invokedBy: [{ exists: false }] },
        eventType: [{ 'anything-but': 'AwsServiceEvent' }],
        // Sign-ins have their own rules (root.console-login, signin.console-login-failed).
        eventName: [{ 'anything-but': 'ConsoleLogin' }],
      },
    },
    details: rootCall,
  },
  {
    id: 'root.console-login',
    title: 'Root user signed in to the console',
    severity: 'critical',
    description:
      'Someone signed in to the console as the root user. Check that it was planned, by whom, from which address, and whether MFA was used (`mfaUsed`); rotate the root password and review the account if nobody expected it.',
    pattern: {
      source: ['aws.signin'],
      'detail-type': [DETAIL_TYPE.consoleSignIn],
      detail: {
        eventName: ['ConsoleLogin'],
        userIdentity: { type: ['Root'] },
        responseElements: { ConsoleLogin: ['Success'] },
      },
    },
    details: rootLogin,
  },
];
