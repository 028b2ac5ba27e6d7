/**
 * Critical-action rules: an EventBridge event pattern (see pattern.ts), an optional condition for what a
 * pattern cannot say, and the text a person reads. The same rule runs over replayed CloudTrail files and,
 * deployed as an EventBridge rule whose target runs the condition, in AWS.
 */
import { matchesGlob } from '../glob.js';
import type { AlertFinding, JsonObject, Principal, Severity, TrailEvent } from '../model.js';
import { type EventPattern, matchesPattern, toEventBridgeEnvelope } from './pattern.js';

/**
 * What a condition says about an event the pattern matched:
 * - `match`: raise the alert, with the facts that made it match;
 * - `no-match`: the request is harmless (e.g. an ingress rule for 10.0.0.0/8);
 * - `undetermined`: the event lacks what the condition needs (a policy document CloudTrail truncated or
 *   that does not parse). The alert is raised, saying so: a critical action is not dropped for want of
 *   detail.
 */
export type ConditionResult =
  | { readonly outcome: 'match'; readonly details?: JsonObject }
  | { readonly outcome: 'no-match'; readonly reason?: string }
  | { readonly outcome: 'undetermined'; readonly reason: string; readonly details?: JsonObject };

export function matched(details?: JsonObject): ConditionResult {
  return details === undefined ? { outcome: 'match' } : { outcome: 'match', details };
}

export function notMatched(reason?: string): ConditionResult {
  return reason === undefined ? { outcome: 'no-match' } : { outcome: 'no-match', reason };
}

export function undetermined(reason: string, details?: JsonObject): ConditionResult {
  return details === undefined
    ? { outcome: 'undetermined', reason }
    : { outcome: 'undetermined', reason, details };
}

export interface Rule {
  /** `<pack>.<action>`, e.g. `iam.create-user`. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** One paragraph: why it matters and what to check. */
  readonly description: string;
  /** EventBridge pattern over the event from toEventBridgeEnvelope; deployable as is. */
  readonly pattern: EventPattern;
  /** What the pattern cannot express; runs only on events the pattern matched. Pure, never throws on odd input. */
  readonly condition?: (event: TrailEvent) => ConditionResult;
  /** Facts for the alert of a pattern-only rule (names, ids); merged under the condition's details. */
  readonly details?: (event: TrailEvent) => JsonObject;
}

/** Facts every alert carries: a failed call is an attempt, and the alert says so. */
function outcomeDetails(event: TrailEvent): JsonObject {
  return {
    ...(event.errorCode !== undefined && { errorCode: event.errorCode }),
    // A failed ConsoleLogin has an errorMessage and no errorCode.
    ...(event.errorMessage !== undefined && { errorMessage: event.errorMessage }),
  };
}

function conditionOf(rule: Rule, event: TrailEvent): ConditionResult {
  if (rule.condition === undefined) return matched();
  try {
    return rule.condition(event);
  } catch (error) {
    // A bug in a condition must not lose the alert, nor fail the other rules.
    const message = error instanceof Error ? error.message : String(error);
    return undetermined(`the rule's condition failed: ${message}`);
  }
}

function extraDetails(rule: Rule, event: TrailEvent): JsonObject {
  if (rule.details === undefined) return {};
  try {
    return rule.details(event);
  } catch {
    return {};
  }
}

function alertOf(rule: Rule, event: TrailEvent, principal: Principal, result: ConditionResult): AlertFinding {
  const details: JsonObject = {
    ...extraDetails(rule, event),
    ...(result.outcome !== 'no-match' && result.details),
    ...(result.outcome === 'undetermined' && { undetermined: result.reason }),
    ...outcomeDetails(event),
  };
  return {
    kind: 'alert',
    rule: { id: rule.id, severity: rule.severity, title: rule.title, description: rule.description },
    event,
    principal,
    details,
  };
}

/**
 * A principal, or a function that makes it: replay evaluates every event of an archive, and most match
 * no rule, so the principal is only worked out for the few that do.
 */
export type PrincipalSource = Principal | (() => Principal);

/** The alerts `event` raises: one per rule whose pattern matches and whose condition does not say no. */
export function evaluate(
  rules: readonly Rule[],
  event: TrailEvent,
  principal: PrincipalSource,
): AlertFinding[] {
  const envelope = toEventBridgeEnvelope(event);
  const alerts: AlertFinding[] = [];
  let resolved: Principal | undefined = typeof principal === 'function' ? undefined : principal;
  for (const rule of rules) {
    if (!matchesPattern(rule.pattern, envelope)) continue;
    const result = conditionOf(rule, event);
    if (result.outcome === 'no-match') continue;
    resolved ??= (principal as () => Principal)();
    alerts.push(alertOf(rule, event, resolved, result));
  }
  return alerts;
}

// ---------------------------------------------------------------------------------------------------------
// Suppressions

/**
 * Silences alerts that are expected. Every criterion given must hold; each is a glob (`*` matches any
 * run of characters, see glob.ts). At least one criterion besides the reason is required by the config.
 */
export interface Suppression {
  /** Rule id or glob, e.g. `iam.create-access-key` or `s3.*`. */
  readonly ruleId?: string;
  /** Glob over the caller's ARN and, for assumed roles, the role's own ARN. */
  readonly principalArn?: string;
  /** Account id (glob) the event was recorded in. */
  readonly account?: string;
  /** Region (glob) of the event. */
  readonly region?: string;
  /** Why: recorded with every alert it silences. */
  readonly reason: string;
}

export interface SuppressedAlert {
  readonly alert: AlertFinding;
  readonly suppression: Suppression;
}

/** Alerts to deliver, and the ones silenced with the suppression that did it, so they can be counted. */
export interface Evaluation {
  readonly alerts: AlertFinding[];
  readonly suppressed: SuppressedAlert[];
}

function principalMatches(glob: string, principal: Principal): boolean {
  return [principal.arn, principal.roleArn].some((arn) => arn !== undefined && matchesGlob(arn, glob));
}

export function suppresses(suppression: Suppression, alert: AlertFinding): boolean {
  const { ruleId, principalArn, account, region } = suppression;
  if (ruleId === undefined && principalArn === undefined && account === undefined && region === undefined) {
    return false;
  }
  return (
    (ruleId === undefined || matchesGlob(alert.rule.id, ruleId)) &&
    (principalArn === undefined || principalMatches(principalArn, alert.principal)) &&
    (account === undefined || matchesGlob(alert.event.accountId, account)) &&
    (region === undefined || matchesGlob(alert.event.awsRegion, region))
  );
}

/** The first suppression that silences `alert`, if any. */
export function suppressionFor(
  alert: AlertFinding,
  suppressions: readonly Suppression[],
): Suppression | undefined {
  return suppressions.find((suppression) => suppresses(suppression, alert));
}

export function applySuppressions(
  alerts: readonly AlertFinding[],
  suppressions: readonly Suppression[],
): Evaluation {
  const out: Evaluation = { alerts: [], suppressed: [] };
  for (const alert of alerts) {
    const suppression = suppressionFor(alert, suppressions);
    if (suppression === undefined) out.alerts.push(alert);
    else out.suppressed.push({ alert, suppression });
  }
  return out;
}

/** A resolved `rules` section: the rules to run and the suppressions to apply. */
export interface RuleSet {
  readonly rules: readonly Rule[];
  readonly suppressions: readonly Suppression[];
}

/** evaluate() then applySuppressions(): what replay and the Lambda handler call for each event. */
export function evaluateEvent(ruleSet: RuleSet, event: TrailEvent, principal: PrincipalSource): Evaluation {
  return applySuppressions(evaluate(ruleSet.rules, event, principal), ruleSet.suppressions);
}
