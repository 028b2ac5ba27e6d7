/** Building blocks of the built-in packs' patterns, so each rule reads like the EventBridge rule it deploys as. */
import { DETAIL_TYPE, type EventPattern, type Matcher } from '../pattern.js';

/** `{"errorCode": [{"exists": false}]}`: the call succeeded. Rules about changes use it; rules about tampering do not. */
export const SUCCEEDED = { errorCode: [{ exists: false }] } as const satisfies EventPattern;

/** An "AWS API Call via CloudTrail" event from `<service>.amazonaws.com` with one of `eventNames`. */
export function apiCall(
  service: string,
  eventNames: readonly Matcher[],
  detail: EventPattern = {},
): EventPattern {
  return {
    source: [`aws.${service}`],
    'detail-type': [DETAIL_TYPE.apiCall],
    detail: { eventName: eventNames, ...detail },
  };
}
