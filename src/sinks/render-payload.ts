import { findingSeverity, severityRank } from '../core/finding-info.js';
import type { Finding, Severity } from '../core/model.js';
import { renderEmailGroup } from '../core/render/email.js';
import type { FactsOptions } from '../core/render/facts.js';
import { renderSlackGroup } from '../core/render/slack.js';
import { renderTeamsGroup } from '../core/render/teams.js';
import { renderWebhookGroup } from '../core/render/webhook.js';
import type { SinkKind, SinkPayload } from './port.js';

/** The renderer each kind of channel speaks; a group of one renders as the single finding. */
export type RenderTarget = 'slack' | 'teams' | 'email' | 'webhook';

export function targetFor(kind: SinkKind): RenderTarget {
  if (kind === 'sns') return 'email';
  if (kind === 'file') return 'webhook';
  return kind;
}

function highest(findings: readonly Finding[]): Severity | undefined {
  let top: Severity | undefined;
  for (const finding of findings) {
    const severity = findingSeverity(finding);
    if (top === undefined || severityRank(severity) < severityRank(top)) top = severity;
  }
  return top;
}

/** Renders a group of findings for one target, with the facts SNS sends as message attributes. */
export function renderPayload(
  target: RenderTarget,
  findings: readonly Finding[],
  options: FactsOptions = {},
): SinkPayload {
  const meta = {
    severity: highest(findings),
    kind: findings.length === 1 ? findings[0]!.kind : 'group',
    count: findings.length,
  };
  switch (target) {
    case 'email': {
      const email = renderEmailGroup(findings, options);
      return { type: 'text', subject: email.subject, text: email.body, meta };
    }
    case 'slack':
      return { type: 'json', json: renderSlackGroup(findings, options), meta };
    case 'teams':
      return { type: 'json', json: renderTeamsGroup(findings, options), meta };
    case 'webhook':
      return { type: 'json', json: renderWebhookGroup(findings, options), meta };
  }
}
