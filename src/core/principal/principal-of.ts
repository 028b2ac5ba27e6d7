import type { JsonObject, Principal, TrailEvent } from '../model.js';
import { classifyChannel } from './channel.js';
import { displayOf } from './display.js';
import { identityFacts } from './identity.js';

export interface PrincipalInput {
  readonly userIdentity: JsonObject;
  readonly userAgent?: string | undefined;
  /** Boolean once parsed; real records carry the string "true". */
  readonly sessionCredentialFromConsole?: boolean | string | undefined;
  readonly sourceIPAddress?: string | undefined;
  readonly eventSource?: string | undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The caller of a CloudTrail event, from untrusted input: odd shapes give type 'Unknown', never a throw. */
export function principalOf(input: PrincipalInput): Principal {
  const facts = identityFacts(input.userIdentity);
  const channel = classifyChannel({
    userAgent: stringOrUndefined(input.userAgent),
    sessionCredentialFromConsole: input.sessionCredentialFromConsole,
    sourceIPAddress: stringOrUndefined(input.sourceIPAddress),
    eventSource: stringOrUndefined(input.eventSource),
    invokedBy: facts.invokedBy,
    principalType: facts.type,
    roleArn: facts.roleArn,
  });
  // Display-only facts stay out of the Principal, which is stored and compared.
  const { rawType: _rawType, identityProvider: _provider, issuerName: _issuer, ...principal } = facts;
  return { ...principal, channel, display: displayOf(facts, channel) };
}

/** The caller of a parsed CloudTrail event. */
export function principalOfEvent(event: TrailEvent): Principal {
  return principalOf({
    userIdentity: event.userIdentity,
    userAgent: event.userAgent,
    sessionCredentialFromConsole: event.sessionCredentialFromConsole,
    sourceIPAddress: event.sourceIPAddress,
    eventSource: event.eventSource,
  });
}
