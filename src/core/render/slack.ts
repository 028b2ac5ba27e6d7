/**
 * Slack Block Kit messages for incoming webhooks and `chat.postMessage`. Untrusted values go in as
 * inline code (identifiers) or escaped mrkdwn (free text); Slack's limits are kept by cutting visibly.
 */
import type { Finding } from '../model.js';
import {
  clip,
  DEFAULT_MAX_DETAILS,
  DEFAULT_MAX_ITEMS,
  firstLines,
  type GroupFacts,
  groupFacts,
  groupHeadline,
  type RenderOptions,
  SEVERITY_EMOJI,
  spanText,
} from './common.js';
import { escapeSlack, escapeSlackPlain, slackCode, truncate, truncateEscaped } from './escape.js';
import { type FactField, type FactLink, type FindingFacts, findingFacts, headline } from './facts.js';

export const SLACK_LIMITS = { blocks: 50, text: 3000, header: 150 } as const;

/** Raw characters kept of one value before escaping: escaping grows it at most fivefold (`&amp;`). */
const VALUE_MAX = 500;
/** Raw characters kept of a finding's title and first detail in a group list. */
const ITEM_VALUE_MAX = 200;

export interface SlackText {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text: SlackText }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'divider' };

export interface SlackMessage {
  /** The notification and fallback text. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

function header(text: string): SlackBlock {
  return {
    type: 'header',
    text: {
      type: 'plain_text',
      text: truncate(escapeSlackPlain(clip(text, 120)), SLACK_LIMITS.header),
      emoji: true,
    },
  };
}

function section(mrkdwn: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateEscaped(mrkdwn, SLACK_LIMITS.text) } };
}

function context(mrkdwn: string): SlackBlock {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncateEscaped(mrkdwn, SLACK_LIMITS.text) }],
  };
}

function fieldLine(field: FactField): string {
  const value = clip(field.value, VALUE_MAX);
  return `*${field.label}:* ${field.code ? slackCode(value) : escapeSlack(value, { singleLine: true })}`;
}

/** Link labels are ours; the URLs passed `isSafeLink`, so neither can break out of `<url|label>`. */
function linkLine(links: readonly FactLink[]): string {
  return links.map((link) => `<${link.url}|${link.label}>`).join('  ·  ');
}

function detailsText(facts: FindingFacts, maxDetails: number): string {
  const { shown, more } = firstLines(facts.details, maxDetails);
  const lines = shown.map((line) => `• ${escapeSlack(clip(line, VALUE_MAX), { singleLine: true })}`);
  if (more > 0) lines.push(`…and ${more} more`);
  return `*${facts.detailsHeading}*\n${lines.join('\n')}`;
}

function headerText(facts: FindingFacts): string {
  const base = `${SEVERITY_EMOJI[facts.severity]} ${facts.kindLabel} · ${facts.severity.toUpperCase()}`;
  return facts.category === 'critical-action' ? `${base}: ${facts.title}` : base;
}

/** Adds lines to sections of at most 3,000 characters; a single longer line is cut. */
function packSections(lines: readonly string[]): string[] {
  const sections: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current !== '' && current.length + 1 + line.length > SLACK_LIMITS.text) {
      sections.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') sections.push(current);
  return sections;
}

export function renderSlack(finding: Finding, options: RenderOptions = {}): SlackMessage {
  const facts = findingFacts(finding, options);
  const blocks: SlackBlock[] = [
    header(headerText(facts)),
    ...packSections(facts.fields.map(fieldLine)).map(section),
    section(detailsText(facts, options.maxDetails ?? DEFAULT_MAX_DETAILS)),
  ];
  if (facts.reasons.length > 0) {
    blocks.push(
      context(
        `*Why:* ${facts.reasons.map((r) => escapeSlack(clip(r, VALUE_MAX), { singleLine: true })).join(' · ')}`,
      ),
    );
  }
  if (facts.links.length > 0) blocks.push(section(linkLine(facts.links)));
  return { text: truncateEscaped(escapeSlack(clip(headline(facts), VALUE_MAX)), SLACK_LIMITS.text), blocks };
}

function itemLine(facts: FindingFacts): string {
  const [first, ...rest] = facts.details;
  const detail =
    first === undefined
      ? ''
      : ` — ${escapeSlack(clip(first, ITEM_VALUE_MAX), { singleLine: true })}${rest.length > 0 ? ` (+${rest.length} more)` : ''}`;
  const links = facts.links
    .filter(
      (link) =>
        link.kind === 'resource' || link.kind === 'config-timeline' || link.kind === 'cloudtrail-event',
    )
    .map(
      (link) =>
        `<${link.url}|${link.kind === 'resource' ? 'console' : link.kind === 'config-timeline' ? 'timeline' : 'event'}>`,
    );
  const severity = `${SEVERITY_EMOJI[facts.severity]} *${facts.severity.toUpperCase()}*`;
  return `${severity} ${facts.kindLabel} ${slackCode(clip(facts.title, ITEM_VALUE_MAX))}${detail}${links.length > 0 ? ` ${links.join(' ')}` : ''}`;
}

function groupHeader(group: GroupFacts): string {
  return `${SEVERITY_EMOJI[group.severity]} ${group.items.length} findings in one session · ${group.severity.toUpperCase()}`;
}

/**
 * One message for a group of findings (a console session's burst): who once, then one line per
 * finding, most severe first, within Slack's 50 blocks; `and N more` beyond `maxItems`.
 */
export function renderSlackGroup(findings: readonly Finding[], options: RenderOptions = {}): SlackMessage {
  const [only] = findings;
  if (findings.length === 1 && only !== undefined) return renderSlack(only, options);
  const group = groupFacts(findings, options);
  const summary = [
    ...group.shared.map(fieldLine),
    `*When:* ${escapeSlack(spanText(group.startMs, group.endMs))}`,
    `*Findings:* ${escapeSlack(group.summary)}`,
  ];
  const blocks: SlackBlock[] = [header(groupHeader(group)), section(summary.join('\n')), { type: 'divider' }];
  // Room for the items, keeping one block for the `and N more` note.
  const budget = SLACK_LIMITS.blocks - blocks.length - 1;
  const { shown } = firstLines(group.items, options.maxItems ?? DEFAULT_MAX_ITEMS);
  const sections = packSections(shown.map(itemLine).map((line) => truncateEscaped(line, SLACK_LIMITS.text)));
  const kept = sections.slice(0, budget);
  blocks.push(...kept.map(section));
  const listed = kept.reduce((count, text) => count + text.split('\n').length, 0);
  const notListed = group.items.length - listed;
  if (notListed > 0) blocks.push(context(`…and ${notListed} more not listed here`));
  return {
    text: truncateEscaped(escapeSlack(clip(groupHeadline(group), VALUE_MAX)), SLACK_LIMITS.text),
    blocks,
  };
}
