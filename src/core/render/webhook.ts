/**
 * The generic webhook payload, version 1.0, documented in docs/webhook-payload.md. Strings are the
 * raw values from AWS (JSON-encoded, so they cannot break the payload): receivers escape them.
 * Adding optional fields keeps the version; renaming or removing one bumps it.
 */
import { compareFindings, findingSeverity, findingTimeMs } from '../finding-info.js';
import type {
  AlertFinding,
  ChangeFinding,
  Finding,
  IndexedEvent,
  JsonObject,
  Principal,
  Severity,
} from '../model.js';
import { type FactLinkKind, type FactsCategory, type FactsOptions, findingFacts, headline } from './facts.js';

export const WEBHOOK_SCHEMA_VERSION = '1.0';

export type WebhookLinks = Partial<
  Record<'resource' | 'configTimeline' | 'cloudTrailEvent' | 'archive' | 'fullItem', string>
>;

export interface WebhookPayload {
  readonly schemaVersion: typeof WEBHOOK_SCHEMA_VERSION;
  readonly kind: 'change' | 'alert';
  readonly category: FactsCategory;
  readonly severity: Severity;
  /** One human line, e.g. `Out-of-band change: AWS::EC2::SecurityGroup web-sg (sg-1) by alice@...`. */
  readonly title: string;
  /** ISO-8601: the event time when known, else the Config capture time. */
  readonly time: string;
  /** Changed properties (or alert details) as short human lines, all of them. */
  readonly summary: readonly string[];
  readonly finding: JsonObject;
  readonly links: WebhookLinks;
}

export interface WebhookGroupPayload {
  readonly schemaVersion: typeof WEBHOOK_SCHEMA_VERSION;
  readonly kind: 'group';
  readonly severity: Severity;
  readonly count: number;
  /** ISO-8601 times of the earliest and the latest finding. */
  readonly startTime: string;
  readonly endTime: string;
  /** Most severe first, then oldest first. */
  readonly findings: readonly Omit<WebhookPayload, 'schemaVersion'>[];
}

const LINK_NAME: Readonly<Record<FactLinkKind, keyof WebhookLinks>> = {
  resource: 'resource',
  'config-timeline': 'configTimeline',
  'cloudtrail-event': 'cloudTrailEvent',
  archive: 'archive',
  'full-item': 'fullItem',
};

/** Drops undefined fields, so that the JSON has no `"x": undefined` surprises for typed receivers. */
function defined(object: { readonly [key: string]: unknown }): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function principalJson(principal: Principal): JsonObject {
  return defined({
    type: principal.type,
    display: principal.display,
    arn: principal.arn,
    accountId: principal.accountId,
    principalId: principal.principalId,
    userName: principal.userName,
    roleArn: principal.roleArn,
    roleName: principal.roleName,
    sessionName: principal.sessionName,
    identityCenter: principal.identityCenter,
    invokedBy: principal.invokedBy,
    sourceIdentity: principal.sourceIdentity,
    channel: principal.channel,
  });
}

function eventJson(event: IndexedEvent): JsonObject {
  return defined({
    eventId: event.eventId,
    eventName: event.eventName,
    eventSource: event.eventSource,
    eventTime: new Date(event.eventTimeMs).toISOString(),
    awsRegion: event.awsRegion,
    accountId: event.accountId,
    userAgent: event.userAgent,
    sourceIPAddress: event.sourceIPAddress,
  });
}

function changeJson(finding: ChangeFinding): JsonObject {
  const { change, attribution, verdict } = finding;
  return {
    resource: defined({
      type: change.resourceType,
      id: change.resourceId,
      name: change.resourceName,
      arn: change.arn,
      accountId: change.accountId,
      region: change.awsRegion,
      tags: change.tags,
    }),
    change: defined({
      changeType: change.changeType,
      captureTime: change.captureTime,
      configurationStateId: change.configurationStateId,
      status: change.status,
      oversized: change.oversized,
      changedProperties: change.changedProperties.map((p) => defined({ ...p })),
    }),
    attribution:
      attribution.status === 'attributed'
        ? {
            status: 'attributed',
            principal: principalJson(attribution.event.principal),
            event: eventJson(attribution.event),
            otherEventIds: attribution.others.map((other) => other.eventId),
            matchedOn: [...attribution.matchedOn],
            via: attribution.via,
            ...(attribution.caveats !== undefined && { caveats: [...attribution.caveats] }),
          }
        : { status: 'unattributed', reason: attribution.reason },
    verdict: {
      action: verdict.action,
      outOfBand: verdict.outOfBand,
      iacManaged: verdict.iacManaged,
      reasons: [...verdict.reasons],
    },
  };
}

function alertJson(finding: AlertFinding): JsonObject {
  const { event } = finding;
  return {
    rule: { ...finding.rule },
    principal: principalJson(finding.principal),
    event: defined({
      eventId: event.eventId,
      eventName: event.eventName,
      eventSource: event.eventSource,
      eventTime: event.eventTime,
      awsRegion: event.awsRegion,
      accountId: event.accountId,
      userAgent: event.userAgent,
      sourceIPAddress: event.sourceIPAddress,
      errorCode: event.errorCode,
      errorMessage: event.errorMessage,
      resources: event.resources.map((r) => defined({ ...r })),
    }),
    details: finding.details,
  };
}

function body(finding: Finding, options: FactsOptions): Omit<WebhookPayload, 'schemaVersion'> {
  const facts = findingFacts(finding, options);
  const links: WebhookLinks = {};
  for (const link of facts.links) links[LINK_NAME[link.kind]] = link.url;
  return {
    kind: finding.kind,
    category: facts.category,
    severity: findingSeverity(finding),
    title: headline(facts),
    time: new Date(facts.timeMs).toISOString(),
    summary: facts.details,
    finding: finding.kind === 'change' ? changeJson(finding) : alertJson(finding),
    links,
  };
}

export function renderWebhook(finding: Finding, options: FactsOptions = {}): WebhookPayload {
  return { schemaVersion: WEBHOOK_SCHEMA_VERSION, ...body(finding, options) };
}

/** A group is always sent whole to a webhook: the receiver decides what to show. */
export function renderWebhookGroup(
  findings: readonly Finding[],
  options: FactsOptions = {},
): WebhookGroupPayload {
  const sorted = [...findings].sort(compareFindings);
  const [first] = sorted;
  const times = sorted.map(findingTimeMs);
  return {
    schemaVersion: WEBHOOK_SCHEMA_VERSION,
    kind: 'group',
    severity: first === undefined ? 'info' : findingSeverity(first),
    count: sorted.length,
    startTime: new Date(times.reduce((min, t) => Math.min(min, t), times[0] ?? 0)).toISOString(),
    endTime: new Date(times.reduce((max, t) => Math.max(max, t), times[0] ?? 0)).toISOString(),
    findings: sorted.map((finding) => body(finding, options)),
  };
}
