/**
 * The paths of identifiers (`requestParameters.groupId`, `resources[0].ARN`...), each text made once and
 * the same string given every time. An archive repeats a few hundred paths millions of times: a path
 * built anew for each value is a fresh string, which every map keyed by paths (the index's layouts)
 * has to hash again. Bounded, because request keys are the caller's and can be anything.
 */

/** Paths kept, parents and children alike; past it the cache starts again empty. */
export const MAX_CACHED_PATHS = 20_000;

/** What is known of one parent path: its children by key and by array index, and its name path. */
interface Children {
  readonly keys: Map<string, string>;
  readonly items: Map<number, string>;
  name?: string;
}

let byParent = new Map<string, Children>();
let size = 0;

/** Counts one more entry, emptying the cache first when it is full. */
function grow(): void {
  if (size >= MAX_CACHED_PATHS) {
    byParent = new Map();
    size = 0;
  }
  size += 1;
}

function childrenOf(parent: string): Children {
  let children = byParent.get(parent);
  if (children === undefined) {
    grow();
    children = { keys: new Map(), items: new Map() };
    byParent.set(parent, children);
  }
  return children;
}

/** `parent.key` */
export function keyPath(parent: string, key: string): string {
  const children = childrenOf(parent);
  let path = children.keys.get(key);
  if (path === undefined) {
    path = `${parent}.${key}`;
    grow();
    children.keys.set(key, path);
  }
  return path;
}

/** `parent[index]` */
export function itemPath(parent: string, index: number): string {
  const children = childrenOf(parent);
  let path = children.items.get(index);
  if (path === undefined) {
    path = `${parent}[${index}]`;
    grow();
    children.items.set(index, path);
  }
  return path;
}

/** `parent#name`: the name or id an ARN at `parent` carries. */
export function namePath(parent: string): string {
  const children = childrenOf(parent);
  if (children.name === undefined) {
    grow();
    children.name = `${parent}#name`;
  }
  return children.name;
}

/** Entries the cache holds now, counted one by one (for tests: it must stay within `MAX_CACHED_PATHS`). */
export function cachedPathCount(): number {
  let count = 0;
  for (const children of byParent.values()) {
    count += 1 + children.keys.size + children.items.size + (children.name === undefined ? 0 : 1);
  }
  return count;
}
