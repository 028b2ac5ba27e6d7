import type { ChangedProperty, ConfigChange } from '../model.js';

export type IacStatus =
  | { readonly managed: true; readonly tag: string; readonly before?: true }
  | { readonly managed: false }
  | { readonly managed: 'unknown'; readonly why: 'oversized' };

export interface IacRules {
  readonly tagKeys: readonly string[];
  readonly tagValues: Readonly<Record<string, readonly string[]>>;
}

type Tags = Record<string, string>;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Config writes a tag as `{key, value}` (EC2, supplementaryConfiguration) or `{Key, Value}` (some services). */
function tagPair(value: unknown): [string, string] | undefined {
  const pair = asRecord(value);
  const key = pair?.['key'] ?? pair?.['Key'];
  const tagValue = pair?.['value'] ?? pair?.['Value'];
  return typeof key === 'string' && typeof tagValue === 'string' ? [key, tagValue] : undefined;
}

/** A tag list (`[{key, value}]`) or a tag map (`{key: value}`). */
function tagsOfValue(value: unknown): Tags {
  if (Array.isArray(value)) {
    return Object.fromEntries(value.map(tagPair).filter((pair) => pair !== undefined));
  }
  const entries = Object.entries(asRecord(value) ?? {}).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return Object.fromEntries(entries);
}

const tagFields = ['tags', 'Tags', 'tagSet', 'TagSet', 'tagList', 'TagList'];
const wholeTags = /^(SupplementaryConfiguration\.|Configuration\.)?(tags|tagSet|tagList)$/i;
const oneTag = /^(SupplementaryConfiguration|Configuration)\.(tags|tagSet|tagList)\.\d+$/i;

function previousTagsOf(property: ChangedProperty): Tags {
  if (wholeTags.test(property.path)) return tagsOfValue(property.previousValue);
  if (oneTag.test(property.path)) {
    const pair = tagPair(property.previousValue);
    return pair === undefined ? {} : { [pair[0]]: pair[1] };
  }
  if (property.path === 'Configuration') {
    const configuration = asRecord(property.previousValue);
    const field = tagFields.find((name) => configuration?.[name] !== undefined);
    return field === undefined ? {} : tagsOfValue(configuration?.[field]);
  }
  return {};
}

/**
 * The tags the resource had before the change, from the diff. A DELETE item carries no tags of its own,
 * and a change that removes the IaC tag is itself a change to an IaC-managed resource.
 */
export function previousTags(change: ConfigChange): Readonly<Tags> {
  return Object.fromEntries(
    change.changedProperties.flatMap((property) => Object.entries(previousTagsOf(property))),
  );
}

function managingTag(tags: Readonly<Tags>, rules: IacRules): string | undefined {
  for (const key of rules.tagKeys) {
    const value = tags[key];
    if (value === undefined) continue;
    const allowed = rules.tagValues[key];
    if (allowed === undefined || allowed.includes(value)) return `${key}=${value}`;
  }
  return undefined;
}

export function iacStatusOf(change: ConfigChange, rules: IacRules): IacStatus {
  const now = managingTag(change.tags, rules);
  if (now !== undefined) return { managed: true, tag: now };
  const before = managingTag(previousTags(change), rules);
  if (before !== undefined) return { managed: true, tag: before, before: true };
  // An oversized notification carries only a summary: no tags, no diff.
  if (change.oversized && Object.keys(change.tags).length === 0)
    return { managed: 'unknown', why: 'oversized' };
  return { managed: false };
}
