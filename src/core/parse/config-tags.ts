import type { JsonObject } from '../model.js';
import { isJsonObject } from './shape.js';

function tagValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function fromMap(value: unknown, into: Map<string, string>): void {
  if (!isJsonObject(value)) return;
  for (const [key, raw] of Object.entries(value)) {
    const text = tagValue(raw);
    if (text !== undefined) into.set(key, text);
  }
}

/** `[{key, value}]` (Config's own spelling) or `[{Key, Value}]` (the services' spelling). */
function fromList(value: unknown, into: Map<string, string>): void {
  if (!Array.isArray(value)) return;
  for (const tag of value) {
    if (!isJsonObject(tag)) continue;
    const key = tag['key'] ?? tag['Key'];
    const text = tagValue(tag['value'] ?? tag['Value']);
    if (typeof key === 'string' && text !== undefined) into.set(key, text);
  }
}

/**
 * A configuration item's tags: its `tags` map when that has entries, else the tag list inside the
 * configuration (or supplementary configuration), where some resource types keep them. Tag keys come
 * from the input, so the result is built with own data properties only.
 */
export function tagsOf(
  item: JsonObject,
  configuration: unknown,
  supplementary: unknown,
): Record<string, string> {
  const tags = new Map<string, string>();
  fromMap(item['tags'], tags);
  if (tags.size === 0) {
    for (const holder of [configuration, supplementary]) {
      if (!isJsonObject(holder)) continue;
      for (const key of ['tags', 'Tags', 'tagSet', 'TagSet', 'TagList']) {
        const value = holder[key];
        if (Array.isArray(value)) fromList(value, tags);
        else fromMap(value, tags);
      }
      if (tags.size > 0) break;
    }
  }
  return Object.fromEntries(tags);
}
