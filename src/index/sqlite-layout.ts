/**
 * How the SQLite index stores what an event names: its identifiers, alias groups and request summary.
 *
 * An event's row holds only the values, as one JSON array (`detail`). What the values are (the event
 * source and name, each identifier's path and resource type, the sizes of the alias groups, the
 * request's parameter names) is the event's layout, which thousands of events share: the `layouts`
 * table holds each one once, and the row points at it. A value that repeats an earlier one (an
 * identifier read from a request parameter that the summary shows too) is stored once: the layout says
 * where it repeats. Measured on the bench's write archive, rows shrink from 430 to about 200 bytes, and
 * every byte is written twice (log, then database file).
 */
import type Database from 'better-sqlite3';
import type { Identifier } from '../core/model.js';
import type { RequestSummary, StoredEvent } from '../core/timeline.js';
import { IndexFileError } from './errors.js';

type Scalar = string | number | boolean;

/** What an event's `detail` values are, in order: identifiers, alias members, request values. */
export interface Layout {
  readonly source: string;
  readonly name: string;
  readonly identifiers: readonly (readonly [path: string, resourceType?: string])[];
  readonly aliasSizes: readonly number[];
  readonly requestKeys: readonly string[];
  /**
   * Values not in the detail because they repeat an earlier one, as pairs `[position, earlier position]`
   * over all the values (identifiers, alias members, request values), in order. @default none
   */
  readonly repeats: readonly number[];
}

/** What `decodeDetail` gives back. */
export interface Detail {
  readonly identifiers: Identifier[];
  readonly aliases: string[][];
  readonly request: RequestSummary;
}

/** What of an event its layout and detail hold. */
export type Described = Pick<
  StoredEvent,
  'eventSource' | 'eventName' | 'identifiers' | 'aliases' | 'request'
>;

/**
 * A layout's text in the `layouts` table: `[source, name, [[path, type?]...], [sizes], [keys]]`, and
 * `[repeats]` after them when there are any.
 */
export function layoutText(layout: Layout): string {
  const parts: unknown[] = [
    layout.source,
    layout.name,
    layout.identifiers,
    layout.aliasSizes,
    layout.requestKeys,
  ];
  if (layout.repeats.length > 0) parts.push(layout.repeats);
  return JSON.stringify(parts);
}

function valueCount(layout: Pick<Layout, 'identifiers' | 'aliasSizes' | 'requestKeys'>): number {
  return (
    layout.identifiers.length + layout.aliasSizes.reduce((sum, n) => sum + n, 0) + layout.requestKeys.length
  );
}

/** Pairs `[position, earlier position]`, each position once, after its earlier one, within `count`. */
function areRepeats(value: unknown, count: number): value is number[] {
  if (!Array.isArray(value) || value.length % 2 !== 0) return false;
  const seen = new Set<number>();
  for (let i = 0; i < value.length; i += 2) {
    const [at, earlier] = [value[i], value[i + 1]];
    if (!Number.isInteger(at) || !Number.isInteger(earlier)) return false;
    if (earlier < 0 || earlier >= at || at >= count || seen.has(at)) return false;
    seen.add(at);
  }
  return true;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** @throws IndexFileError when the text is not a layout (a damaged or foreign file). */
export function parseLayout(text: string, where: string): Layout {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new IndexFileError(`${where}: layout is not JSON`, { cause: error });
  }
  if (
    Array.isArray(parsed) &&
    (parsed.length === 5 || parsed.length === 6) &&
    typeof parsed[0] === 'string' &&
    typeof parsed[1] === 'string' &&
    Array.isArray(parsed[2]) &&
    parsed[2].every((id) => isStringArray(id) && (id.length === 1 || id.length === 2)) &&
    Array.isArray(parsed[3]) &&
    parsed[3].every((n) => Number.isInteger(n) && n >= 0) &&
    isStringArray(parsed[4])
  ) {
    const layout = {
      source: parsed[0],
      name: parsed[1],
      identifiers: parsed[2] as [string, string?][],
      aliasSizes: parsed[3] as number[],
      requestKeys: parsed[4],
    };
    const repeats: unknown = parsed[5] ?? [];
    if (areRepeats(repeats, valueCount(layout))) return { ...layout, repeats };
  }
  throw new IndexFileError(
    `${where}: layout must be [source, name, [[path, type?]...], [sizes], [keys], [repeats]?], but ${text.slice(0, 80)} was found`,
  );
}

/** Every value of an event, in its layout's order: identifiers, alias members, request values. */
function valuesOf(event: Described): Scalar[] {
  const values: Scalar[] = [];
  for (const id of event.identifiers) values.push(id.value);
  for (const group of event.aliases) for (const member of group) values.push(member);
  for (const key in event.request) values.push(event.request[key]!);
  return values;
}

/** The values that do not repeat an earlier one, and the repeats (`Layout.repeats`). */
function split(values: readonly Scalar[]): { kept: Scalar[]; repeats: number[] } {
  const kept: Scalar[] = [];
  const repeats: number[] = [];
  for (let at = 0; at < values.length; at++) {
    const earlier = values.indexOf(values[at]!);
    if (earlier < at) repeats.push(at, earlier);
    else kept.push(values[at]!);
  }
  return { kept, repeats };
}

/** The layout of an event; `repeats` when the caller has worked them out already. */
export function layoutOf(event: Described, repeats = split(valuesOf(event)).repeats): Layout {
  return {
    source: event.eventSource,
    name: event.eventName,
    identifiers: event.identifiers.map((id) =>
      id.resourceType === undefined ? [id.path] : [id.path, id.resourceType],
    ),
    aliasSizes: event.aliases.map((group) => group.length),
    requestKeys: Object.keys(event.request),
    repeats,
  };
}

/** The values of an event that its layout does not give as repeats, in order, as JSON. */
export function detailOf(event: Described): string {
  return JSON.stringify(split(valuesOf(event)).kept);
}

/** @throws IndexFileError when the values do not fit the layout. */
export function decodeDetail(layout: Layout, text: string, where: string): Detail {
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    throw new IndexFileError(`${where}: detail is not JSON`, { cause: error });
  }
  const count = valueCount(layout);
  const expected = count - layout.repeats.length / 2;
  if (!Array.isArray(values) || values.length !== expected) {
    throw new IndexFileError(
      `${where}: detail must hold ${expected} values for its layout, but ${Array.isArray(values) ? values.length : typeof values} were found`,
    );
  }
  const all = layout.repeats.length > 0 ? withRepeats(values, layout.repeats, count) : values;
  let at = 0;
  const identifiers: Identifier[] = layout.identifiers.map(([path, resourceType]) => {
    const value = String(all[at++]);
    return resourceType === undefined ? { value, path } : { value, path, resourceType };
  });
  const aliases = layout.aliasSizes.map((size) => {
    const group: string[] = [];
    for (let n = 0; n < size; n++) group.push(String(all[at++]));
    return group;
  });
  const request: Record<string, Scalar> = {};
  for (const key of layout.requestKeys) {
    const value = all[at++] as Scalar;
    // As summariseRequest keeps it: a key named `__proto__` is data, not the object's prototype.
    if (key === '__proto__') {
      Object.defineProperty(request, key, { value, enumerable: true, writable: true, configurable: true });
    } else request[key] = value;
  }
  return { identifiers, aliases, request };
}

/** All the values of a detail, the repeats put back. */
function withRepeats(kept: readonly unknown[], repeats: readonly number[], count: number): unknown[] {
  const earlierOf = new Map<number, number>();
  for (let i = 0; i < repeats.length; i += 2) earlierOf.set(repeats[i]!, repeats[i + 1]!);
  const all: unknown[] = [];
  let next = 0;
  for (let at = 0; at < count; at++) {
    const earlier = earlierOf.get(at);
    all.push(earlier === undefined ? kept[next++] : all[earlier]);
  }
  return all;
}

/** A node of the writer's layout trie: one step per part of a layout. */
interface Node {
  readonly next: Map<unknown, Node>;
  id?: number;
}

/** Bound on the layouts a writer keeps in memory; the table stays the reference. */
const MAX_CACHED_LAYOUTS = 20_000;

/**
 * The layout ids of events, for a connection that writes: found in memory by walking a trie of the
 * layout's parts (Map lookups of strings the event already holds, no key text built), else in the
 * table, else added to it. Counts stand before each list of parts, so two layouts never share a path.
 */
export class LayoutWriter {
  #root: Node = { next: new Map() };
  #size = 0;
  /** Trie nodes given an id by the open transaction: forgotten if it rolls back. */
  #pending: Node[] = [];
  readonly #find: Database.Statement<[string], { id: number }>;
  readonly #add: Database.Statement<[string]>;

  public constructor(db: Database.Database) {
    this.#find = db.prepare('SELECT id FROM layouts WHERE layout = ?');
    this.#add = db.prepare('INSERT INTO layouts (layout) VALUES (?)');
  }

  public idOf(event: Described): number {
    return this.encode(event)[0];
  }

  /** The event's layout id and its `detail` (`detailOf`). */
  public encode(event: Described): [layoutId: number, detail: string] {
    let node = this.#step(this.#step(this.#root, event.eventSource), event.eventName);
    node = this.#step(node, event.identifiers.length);
    for (const id of event.identifiers) node = this.#step(this.#step(node, id.path), id.resourceType);
    node = this.#step(node, event.aliases.length);
    for (const group of event.aliases) node = this.#step(node, group.length);
    node = this.#step(node, -1);
    for (const key in event.request) node = this.#step(node, key);
    const { kept, repeats } = split(valuesOf(event));
    node = this.#step(node, -2);
    for (const n of repeats) node = this.#step(node, n);
    return [node.id ?? this.#store(node, event, repeats), JSON.stringify(kept)];
  }

  #store(node: Node, event: Described, repeats: number[]): number {
    const text = layoutText(layoutOf(event, repeats));
    const held = this.#find.get(text);
    node.id = held?.id ?? Number(this.#add.run(text).lastInsertRowid);
    if (held === undefined) this.#pending.push(node);
    this.#size += 1;
    return node.id;
  }

  /** The open transaction was kept. */
  public committed(): void {
    this.#pending = [];
    if (this.#size > MAX_CACHED_LAYOUTS) this.forget();
  }

  /** The open transaction was rolled back: the layouts it added are gone. */
  public rolledBack(): void {
    for (const node of this.#pending) delete node.id;
    this.#pending = [];
  }

  public forget(): void {
    this.#root = { next: new Map() };
    this.#size = 0;
    this.#pending = [];
  }

  #step(node: Node, part: unknown): Node {
    let next = node.next.get(part);
    if (next === undefined) {
      next = { next: new Map() };
      node.next.set(part, next);
    }
    return next;
  }
}

/** The layouts of a connection that reads, by id, each parsed once. */
export class LayoutReader {
  readonly #byId = new Map<number, Layout>();
  readonly #get: Database.Statement<[number], { layout: string }>;

  public constructor(
    db: Database.Database,
    private readonly path: string,
  ) {
    this.#get = db.prepare('SELECT layout FROM layouts WHERE id = ?');
  }

  /** Forgets the layouts read: after a rollback, an id read inside it may name another layout. */
  public forget(): void {
    this.#byId.clear();
  }

  public layout(id: number): Layout {
    let layout = this.#byId.get(id);
    if (layout === undefined) {
      const row = this.#get.get(id);
      if (row === undefined)
        throw new IndexFileError(`${this.path}: an event refers to missing layout ${id}`);
      layout = parseLayout(row.layout, `${this.path}: layout ${id}`);
      if (this.#byId.size >= MAX_CACHED_LAYOUTS) this.#byId.clear();
      this.#byId.set(id, layout);
    }
    return layout;
  }
}
