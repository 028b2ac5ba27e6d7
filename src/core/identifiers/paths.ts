/**
 * The paths of identifiers (`requestParameters.groupId`, `resources[0].ARN`...), each text made once and
 * the same string given every time. An archive repeats a few hundred paths millions of times: a path
 * built anew for each value is a fresh string, which every map keyed by paths (the index's layouts)
 * has to hash again. Bounded, because request keys are the caller's and can be anything.
 */

/** Paths kept; past it the cache starts again empty. */
const MAX_PATHS = 20_000;

/** What is known of one parent path: its children by key and by array index, and its name path. */
interface Children {
  readonly keys: Map<string, string>;
  readonly items: string[];
  name?: string;
}

const byParent = new Map<string, Children>();
let size = 0;

function childrenOf(parent: string): Children {
  let children = byParent.get(parent);
  if (children === undefined) {
    if (size >= MAX_PATHS) {
      byParent.clear();
      size = 0;
    }
    children = { keys: new Map(), items: [] };
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
    children.keys.set(key, path);
    size += 1;
  }
  return path;
}

/** `parent[index]` */
export function itemPath(parent: string, index: number): string {
  const children = childrenOf(parent);
  let path = children.items[index];
  if (path === undefined) {
    path = `${parent}[${index}]`;
    // Arrays are filled in order (a walk visits items 0, 1, 2...); a gap would make the array sparse.
    if (index === children.items.length) {
      children.items.push(path);
      size += 1;
    }
  }
  return path;
}

/** `parent#name`: the name or id an ARN at `parent` carries. */
export function namePath(parent: string): string {
  const children = childrenOf(parent);
  children.name ??= `${parent}#name`;
  return children.name;
}
