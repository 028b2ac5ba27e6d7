/**
 * Microsoft Teams: an Adaptive Card 1.4 in the message envelope that Teams Workflows webhooks take.
 * Untrusted values are escaped for the card's Markdown subset; links are Action.OpenUrl or links
 * whose URL passed `isSafeLink`. The payload is kept under Teams' 28 KB by cutting values and items.
 */
import type { Finding, Severity } from '../model.js';
import {
  byteLength,
  clip,
  DEFAULT_MAX_DETAILS,
  DEFAULT_MAX_ITEMS,
  firstLines,
  type GroupFacts,
  groupFacts,
  type RenderOptions,
  SEVERITY_EMOJI,
  spanText,
} from './common.js';
import { escapeTeams } from './escape.js';
import { type FactField, type FindingFacts, findingFacts } from './facts.js';

/** Teams rejects messages over 28 KB; a little is left for the webhook's own envelope. */
export const TEAMS_MAX_BYTES = 27_000;

const INITIAL_VALUE_MAX = 500;
const MIN_VALUE_MAX = 20;

type Color = 'Default' | 'Attention' | 'Warning' | 'Accent';

export interface TeamsTextBlock {
  readonly type: 'TextBlock';
  readonly text: string;
  readonly wrap: true;
  readonly size?: 'Large' | 'Medium';
  readonly weight?: 'Bolder';
  readonly color?: Color;
  readonly isSubtle?: boolean;
  readonly separator?: boolean;
}

export interface TeamsFactSet {
  readonly type: 'FactSet';
  readonly facts: readonly { readonly title: string; readonly value: string }[];
}

export interface TeamsOpenUrl {
  readonly type: 'Action.OpenUrl';
  readonly title: string;
  readonly url: string;
}

export interface AdaptiveCard {
  readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  readonly type: 'AdaptiveCard';
  readonly version: '1.4';
  readonly body: readonly (TeamsTextBlock | TeamsFactSet)[];
  readonly actions: readonly TeamsOpenUrl[];
  readonly msteams: { readonly width: 'Full' };
}

export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly [
    {
      readonly contentType: 'application/vnd.microsoft.card.adaptive';
      readonly contentUrl: null;
      readonly content: AdaptiveCard;
    },
  ];
}

const COLOR: Readonly<Record<Severity, Color>> = {
  critical: 'Attention',
  high: 'Attention',
  medium: 'Warning',
  low: 'Default',
  info: 'Default',
};

function text(value: string, extra: Omit<TeamsTextBlock, 'type' | 'text' | 'wrap'> = {}): TeamsTextBlock {
  return { type: 'TextBlock', text: value, wrap: true, ...extra };
}

function envelope(body: AdaptiveCard['body'], actions: readonly TeamsOpenUrl[]): TeamsMessage {
  const content: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    actions,
    msteams: { width: 'Full' },
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

function facts(fields: readonly FactField[], cap: number): TeamsFactSet {
  return {
    type: 'FactSet',
    facts: fields.map((f) => ({
      title: f.label,
      value: escapeTeams(clip(f.value, cap), { singleLine: true }),
    })),
  };
}

function headerText(f: FindingFacts): string {
  const base = `${SEVERITY_EMOJI[f.severity]} ${f.kindLabel} · ${f.severity.toUpperCase()}`;
  return f.category === 'critical-action'
    ? `${base}: ${escapeTeams(clip(f.title, 200), { singleLine: true })}`
    : base;
}

function single(f: FindingFacts, cap: number, maxDetails: number): TeamsMessage {
  const { shown, more } = firstLines(f.details, maxDetails);
  const lines = shown.map((line) => `- ${escapeTeams(clip(line, cap), { singleLine: true })}`);
  if (more > 0) lines.push(`- …and ${more} more`);
  const body: (TeamsTextBlock | TeamsFactSet)[] = [
    text(headerText(f), { size: 'Large', weight: 'Bolder', color: COLOR[f.severity] }),
    facts(f.fields, cap),
    text(`**${f.detailsHeading}**`, { separator: true }),
    text(lines.join('\n')),
  ];
  if (f.reasons.length > 0) {
    body.push(
      text(`Why: ${f.reasons.map((r) => escapeTeams(clip(r, cap), { singleLine: true })).join(' · ')}`, {
        isSubtle: true,
      }),
    );
  }
  return envelope(
    body,
    f.links.map((link) => ({ type: 'Action.OpenUrl', title: link.label, url: link.url })),
  );
}

function itemText(f: FindingFacts, cap: number): string {
  const [first, ...rest] = f.details;
  const detail =
    first === undefined
      ? ''
      : ` — ${escapeTeams(clip(first, cap), { singleLine: true })}${rest.length > 0 ? ` (+${rest.length} more)` : ''}`;
  const links = f.links
    .filter((link) => link.kind === 'config-timeline' || link.kind === 'cloudtrail-event')
    .map((link) => `[${link.kind === 'config-timeline' ? 'timeline' : 'event'}](${link.url})`);
  const title = escapeTeams(clip(f.title, cap), { singleLine: true });
  return `${SEVERITY_EMOJI[f.severity]} **${f.severity.toUpperCase()}** ${f.kindLabel}: ${title}${detail} ${links.join(' ')}`.trimEnd();
}

function grouped(group: GroupFacts, cap: number, maxItems: number): TeamsMessage {
  const { shown, more } = firstLines(group.items, maxItems);
  const body: (TeamsTextBlock | TeamsFactSet)[] = [
    text(
      `${SEVERITY_EMOJI[group.severity]} ${group.items.length} findings in one session · ${group.severity.toUpperCase()}`,
      {
        size: 'Large',
        weight: 'Bolder',
        color: COLOR[group.severity],
      },
    ),
    {
      type: 'FactSet',
      facts: [
        ...facts(group.shared, cap).facts,
        { title: 'When', value: escapeTeams(spanText(group.startMs, group.endMs)) },
        { title: 'Findings', value: escapeTeams(group.summary) },
      ],
    },
    ...shown.map((item, index) => text(itemText(item, cap), index === 0 ? { separator: true } : {})),
  ];
  if (more > 0) body.push(text(`…and ${more} more not listed here`, { isSubtle: true }));
  return envelope(body, []);
}

/** Renders, then cuts values (and, for groups, items) until the payload fits in Teams' limit. */
function fitToLimit(render: (cap: number, items: number) => TeamsMessage, maxItems: number): TeamsMessage {
  let cap = INITIAL_VALUE_MAX;
  let items = maxItems;
  let message = render(cap, items);
  while (byteLength(JSON.stringify(message)) > TEAMS_MAX_BYTES && (cap > MIN_VALUE_MAX || items > 1)) {
    if (cap > MIN_VALUE_MAX) cap = Math.max(MIN_VALUE_MAX, Math.floor(cap / 2));
    else items = Math.max(1, Math.floor(items * 0.75));
    message = render(cap, items);
  }
  return message;
}

export function renderTeams(finding: Finding, options: RenderOptions = {}): TeamsMessage {
  const f = findingFacts(finding, options);
  return fitToLimit((cap) => single(f, cap, options.maxDetails ?? DEFAULT_MAX_DETAILS), 1);
}

/** One card for a group of findings: who once, one line per finding, most severe first. */
export function renderTeamsGroup(findings: readonly Finding[], options: RenderOptions = {}): TeamsMessage {
  const [only] = findings;
  if (findings.length === 1 && only !== undefined) return renderTeams(only, options);
  const group = groupFacts(findings, options);
  return fitToLimit((cap, items) => grouped(group, cap, items), options.maxItems ?? DEFAULT_MAX_ITEMS);
}
