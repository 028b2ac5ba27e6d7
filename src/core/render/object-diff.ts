/**
 * What changed inside a Config value that is an object: the leaves that differ, not the two objects
 * side by side (they share most of their text, and 160 characters of each rarely reach the part that
 * changed). Config also reports an element of a list that changed as one element removed and another
 * added, often at another index (`PrivateIpAddresses.0` removed, `PrivateIpAddresses.1` added): such a
 * pair is read as one change when the two elements are mostly the same.
 */
import { joinFirst } from '../clip.js';
import type { ChangedProperty } from '../model.js';
import { isObject } from '../rules/inspect.js';
import { compactValue } from './compact.js';

/** Leaves read per value at most, and the depth they are looked for at. */
const MAX_LEAVES = 200;
const MAX_DEPTH = 8;
/** Leaf changes named in a line before "and N more". */
const SHOWN = 4;

type Leaf = string | number | boolean | null;

interface Leaves {
  /** `a.b.0` → scalar; empty objects and lists are leaves of their own. */
  readonly leaves: Map<string, Leaf>;
  /** The objects and lists the leaves were found in, by path, so a side that became (none) is told whole. */
  readonly nodes: Map<string, unknown>;
}

function leavesOf(value: unknown): Leaves {
  const leaves = new Map<string, Leaf>();
  const nodes = new Map<string, unknown>();
  const visit = (node: unknown, path: string, depth: number): void => {
    if (leaves.size >= MAX_LEAVES) return;
    if (node === null || typeof node !== 'object') {
      leaves.set(
        path,
        typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? node : null,
      );
      return;
    }
    const entries = Array.isArray(node)
      ? node.map((item, i) => [String(i), item] as const)
      : Object.entries(node);
    if (entries.length === 0 || depth >= MAX_DEPTH) {
      leaves.set(path, compactValue(node, 80));
      return;
    }
    nodes.set(path, node);
    for (const [key, child] of entries) visit(child, path === '' ? key : `${path}.${key}`, depth + 1);
  };
  visit(value, '', 0);
  return { leaves, nodes };
}

interface LeafDiff {
  readonly changes: readonly string[];
  /** Leaves equal on both sides. */
  readonly kept: number;
}

/** Whether `path` lies inside one of `prefixes` (`association.publicIp` inside `association`). */
function within(path: string, prefixes: ReadonlySet<string>): boolean {
  for (let at = path.lastIndexOf('.'); at > 0; at = path.lastIndexOf('.', at - 1))
    if (prefixes.has(path.slice(0, at))) return true;
  return false;
}

function leafDiff(before: unknown, after: unknown): LeafDiff {
  const { leaves: was, nodes: wasNodes } = leavesOf(before);
  const { leaves: is, nodes: isNodes } = leavesOf(after);
  // An object that became a scalar or (none), or the other way, is one change, not one per leaf.
  const whole = new Set<string>();
  for (const path of is.keys()) if (wasNodes.has(path)) whole.add(path);
  for (const path of was.keys()) if (isNodes.has(path)) whole.add(path);
  const changes: string[] = [];
  let kept = 0;
  for (const [path, value] of is) {
    if (within(path, whole)) continue;
    if (whole.has(path))
      changes.push(
        value === null
          ? `${path} removed ${compactValue(wasNodes.get(path), 80)}`
          : `${path} ${compactValue(wasNodes.get(path), 80)} → ${compactValue(value, 80)}`,
      );
    else if (!was.has(path)) changes.push(`${path} added ${compactValue(value, 80)}`);
    else if (was.get(path) === value) kept += 1;
    else changes.push(`${path} ${compactValue(was.get(path), 80)} → ${compactValue(value, 80)}`);
  }
  for (const [path, value] of was) {
    if (within(path, whole) || is.has(path)) continue;
    if (!whole.has(path)) changes.push(`${path} removed ${compactValue(value, 80)}`);
    else
      changes.push(
        value === null
          ? `${path} added ${compactValue(isNodes.get(path), 80)}`
          : `${path} ${compactValue(value, 80)} → ${compactValue(isNodes.get(path), 80)}`,
      );
  }
  return { changes, kept };
}

/**
 * The leaves that changed between two objects (or lists): `association.publicIp 34.248.113.20 →
 * 54.217.40.12`; undefined when either is not one, or when nothing differs leaf by leaf.
 */
export function objectChange(before: unknown, after: unknown): string | undefined {
  if (!isContainer(before) || !isContainer(after)) return undefined;
  const { changes } = leafDiff(before, after);
  if (changes.length === 0) return undefined;
  return joinFirst(changes, { shown: SHOWN });
}

function isContainer(value: unknown): boolean {
  return isObject(value) || Array.isArray(value);
}

/** `Configuration.PrivateIpAddresses.0` → `Configuration.PrivateIpAddresses`; undefined for no index. */
function listOf(path: string): string | undefined {
  const match = /^(.*)\.\d+$/.exec(path);
  return match?.[1];
}

/**
 * The properties with each list's lone removed element and lone added element read as one UPDATE of
 * the list, when the two are objects that keep more leaves than they change (the same element,
 * changed); everything else as it was, in its order. Lists for which `mayPair` says no (those with a
 * summary of their own, such as security group rules) are left alone.
 */
export function pairReplacements(
  properties: readonly ChangedProperty[],
  mayPair: (list: string) => boolean = () => true,
): ChangedProperty[] {
  const byList = new Map<string, { deleted: number[]; created: number[] }>();
  properties.forEach((property, at) => {
    const list = listOf(property.path);
    if (list === undefined || property.changeType === 'UPDATE' || !mayPair(list)) return;
    const entry = byList.get(list) ?? { deleted: [], created: [] };
    (property.changeType === 'DELETE' ? entry.deleted : entry.created).push(at);
    byList.set(list, entry);
  });
  const merged = new Map<number, ChangedProperty>();
  const dropped = new Set<number>();
  for (const [list, { deleted, created }] of byList) {
    if (deleted.length !== 1 || created.length !== 1) continue;
    const [gone, came] = [properties[deleted[0]!]!, properties[created[0]!]!];
    const { previousValue: before } = gone;
    const { updatedValue: after } = came;
    if (!isObject(before) || !isObject(after)) continue;
    const { changes, kept } = leafDiff(before, after);
    if (changes.length >= kept) continue;
    merged.set(deleted[0]!, { path: list, changeType: 'UPDATE', previousValue: before, updatedValue: after });
    dropped.add(created[0]!);
  }
  return properties.flatMap((property, at) => (dropped.has(at) ? [] : [merged.get(at) ?? property]));
}
