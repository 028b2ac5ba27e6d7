/**
 * A Finding as neutral facts, so that Slack, Teams, email and the webhook all say the same thing.
 * Values here are raw (untrusted) text: each renderer escapes them for its target.
 */
import { findingTimeMs } from '../finding-info.js';
import type { AlertFinding, ChangeFinding, Channel, Finding, Principal, Severity } from '../model.js';
import { detailText } from './compact.js';
import {
  cloudTrailEventUrl,
  configTimelineUrl,
  isSafeLink,
  type LinkOptions,
  type ResourceLocator,
  resourceConsoleUrl,
  s3ObjectUrl,
} from './links.js';
import { describeProperties } from './summarise.js';

export type FactsCategory = 'out-of-band-change' | 'change' | 'unattributed-change' | 'critical-action';

export type FactKey =
  | 'who'
  | 'principal'
  | 'resource'
  | 'arn'
  | 'account'
  | 'how'
  | 'userAgent'
  | 'sourceIp'
  | 'event'
  | 'result'
  | 'eventTime'
  | 'captureTime'
  | 'matched';

export interface FactField {
  readonly key: FactKey;
  readonly label: string;
  readonly value: string;
  /** An identifier that should be shown verbatim (monospace where the target has it). */
  readonly code: boolean;
}

export type FactLinkKind = 'resource' | 'config-timeline' | 'cloudtrail-event' | 'archive' | 'full-item';

export interface FactLink {
  readonly kind: FactLinkKind;
  readonly label: string;
  readonly url: string;
}

export interface FindingFacts {
  readonly category: FactsCategory;
  /** `Out-of-band change`, `Critical action`, ... */
  readonly kindLabel: string;
  readonly severity: Severity;
  /** One line: the resource (type and name) for a change, the rule title for an alert. */
  readonly title: string;
  /** Shorter: the resource's name (or id) for a change, the rule title for an alert. */
  readonly name: string;
  /** The principal's display line, when known. */
  readonly who?: string;
  readonly fields: readonly FactField[];
  /** `What changed` for a change, `Details` for an alert. */
  readonly detailsHeading: string;
  /** Every line; renderers show the first few and count the rest. */
  readonly details: readonly string[];
  /** Why it was reported (verdict reasons, the unattributed reason, the rule description). */
  readonly reasons: readonly string[];
  readonly links: readonly FactLink[];
  readonly timeMs: number;
}

export interface FactsOptions extends LinkOptions {
  /** A link to the archived raw message (CloudTrail record or Config notification), when kept. */
  readonly archiveUrl?: (finding: Finding) => string | undefined;
}

const KIND_LABEL: Readonly<Record<FactsCategory, string>> = {
  'out-of-band-change': 'Out-of-band change',
  change: 'Change',
  'unattributed-change': 'Unattributed change',
  'critical-action': 'Critical action',
};

const CHANNEL_LABEL: Readonly<Record<Channel, string>> = {
  console: 'AWS console',
  cli: 'AWS CLI',
  sdk: 'AWS SDK',
  terraform: 'Terraform',
  cloudformation: 'CloudFormation',
  'aws-service': 'AWS service',
  unknown: 'unknown',
};

export function categoryOf(finding: Finding): FactsCategory {
  if (finding.kind === 'alert') return 'critical-action';
  if (finding.attribution.status === 'unattributed') return 'unattributed-change';
  return finding.verdict.outOfBand ? 'out-of-band-change' : 'change';
}

export function kindLabel(category: FactsCategory): string {
  return KIND_LABEL[category];
}

function field(key: FactKey, label: string, value: string | undefined, code = false): FactField[] {
  return value === undefined || value === '' ? [] : [{ key, label, value, code }];
}

function howText(principal: Principal): string {
  const channel = CHANNEL_LABEL[principal.channel];
  return principal.invokedBy === undefined ? channel : `${channel} (${principal.invokedBy})`;
}

function principalFields(principal: Principal): FactField[] {
  return [
    ...field('who', 'Who', principal.display),
    ...field('principal', 'Principal', principal.arn ?? principal.roleArn ?? principal.principalId, true),
    ...field('how', 'How', howText(principal)),
  ];
}

function resourceTitle(resource: ResourceLocator): string {
  const { resourceType, resourceId, resourceName } = resource;
  return resourceName === undefined || resourceName === resourceId
    ? `${resourceType} ${resourceId}`
    : `${resourceType} ${resourceName} (${resourceId})`;
}

function safeLinks(links: readonly (FactLink | undefined)[]): FactLink[] {
  return links.filter((link): link is FactLink => link !== undefined && isSafeLink(link.url));
}

function link(kind: FactLinkKind, label: string, url: string | undefined): FactLink | undefined {
  return url === undefined ? undefined : { kind, label, url };
}

function changeFacts(finding: ChangeFinding, options: FactsOptions): FindingFacts {
  const { change, attribution, verdict } = finding;
  const category = categoryOf(finding);
  const event = attribution.status === 'attributed' ? attribution.event : undefined;
  const fields = [
    ...(event === undefined ? [] : principalFields(event.principal)),
    ...field('resource', 'Resource', resourceTitle(change), true),
    ...field('arn', 'ARN', change.arn, true),
    ...field('account', 'Account', `${change.accountId} (${change.awsRegion})`),
    ...field('userAgent', 'User agent', event?.userAgent, true),
    ...field('sourceIp', 'Source IP', event?.sourceIPAddress, true),
    ...field('event', 'Event', event && `${event.eventName} (${event.eventSource})`),
    ...field('eventTime', 'Event time', event && new Date(event.eventTimeMs).toISOString()),
    ...field('captureTime', 'Config capture time', change.captureTime),
    ...field(
      'matched',
      'Matched on',
      attribution.status === 'attributed' ? matchedText(attribution) : undefined,
    ),
  ];
  const details = describeProperties(change.changedProperties);
  if (details.length === 0) details.push(emptyChangeLine(finding));
  const reasons =
    attribution.status === 'unattributed' ? [attribution.reason, ...verdict.reasons] : [...verdict.reasons];
  const archive = options.archiveUrl?.(finding);
  const links = safeLinks([
    link(
      'resource',
      'Resource in the AWS console',
      change.changeType === 'DELETE' ? undefined : resourceConsoleUrl(change, options),
    ),
    link('config-timeline', 'AWS Config timeline', configTimelineUrl(change, options)),
    event && link('cloudtrail-event', 'CloudTrail event', cloudTrailEventUrl(event)),
    link(
      'full-item',
      'Full configuration item (S3)',
      change.s3DeliveryUri && s3ObjectUrl(change.s3DeliveryUri, change.awsRegion),
    ),
    link('archive', 'Archived raw message', archive),
  ]);
  return {
    category,
    kindLabel: kindLabel(category),
    severity: finding.severity,
    title: resourceTitle(change),
    name: change.resourceName ?? change.resourceId,
    ...(event === undefined ? {} : { who: event.principal.display }),
    fields,
    detailsHeading: 'What changed',
    details,
    reasons,
    links,
    timeMs: findingTimeMs(finding),
  };
}

function matchedText(attribution: Extract<ChangeFinding['attribution'], { status: 'attributed' }>): string {
  const others = attribution.others.length;
  const on = attribution.matchedOn.length === 0 ? 'time window' : attribution.matchedOn.join(', ');
  const weaker = attribution.caveats === undefined ? '' : `; weaker match: ${attribution.caveats.join(', ')}`;
  return `${on} via ${attribution.via}${weaker}${others === 0 ? '' : `; ${others} other event(s) in the window`}`;
}

function emptyChangeLine(finding: ChangeFinding): string {
  if (finding.change.oversized) return 'Configuration item too large to deliver; see the full item in S3';
  if (finding.change.changeType === 'CREATE') return 'Resource created';
  if (finding.change.changeType === 'DELETE') return 'Resource deleted';
  return 'No property-level details from AWS Config';
}

function alertFacts(finding: AlertFinding, options: FactsOptions): FindingFacts {
  const { event, principal, rule } = finding;
  const resources = event.resources.map((resource) => resource.ARN).filter((arn) => arn !== undefined);
  const fields = [
    ...principalFields(principal),
    ...field('resource', 'Resource', resources.length === 0 ? undefined : resources.join(', '), true),
    ...field('account', 'Account', `${event.accountId} (${event.awsRegion})`),
    ...field('userAgent', 'User agent', event.userAgent, true),
    ...field('sourceIp', 'Source IP', event.sourceIPAddress, true),
    ...field('event', 'Event', `${event.eventName} (${event.eventSource})`),
    ...field('result', 'Result', event.errorCode && `failed: ${event.errorCode}`),
    ...field('eventTime', 'Event time', event.eventTime),
  ];
  const details = Object.entries(finding.details).map(([key, value]) => `${key}: ${detailText(value)}`);
  const archive = options.archiveUrl?.(finding);
  return {
    category: 'critical-action',
    kindLabel: KIND_LABEL['critical-action'],
    severity: rule.severity,
    title: rule.title,
    name: rule.title,
    who: principal.display,
    fields,
    detailsHeading: 'Details',
    details,
    reasons: rule.description === '' ? [] : [rule.description],
    links: safeLinks([
      link('cloudtrail-event', 'CloudTrail event', cloudTrailEventUrl(event)),
      link('archive', 'Archived raw message', archive),
    ]),
    timeMs: findingTimeMs(finding),
  };
}

export function findingFacts(finding: Finding, options: FactsOptions = {}): FindingFacts {
  return finding.kind === 'change' ? changeFacts(finding, options) : alertFacts(finding, options);
}

/** One line that names the finding, for subjects, notification text and group lists. */
export function headline(facts: FindingFacts): string {
  const by = facts.who === undefined ? '' : ` by ${facts.who}`;
  return `${facts.kindLabel}: ${facts.title}${by}`;
}
