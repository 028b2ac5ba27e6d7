/**
 * Replay evaluates the critical-action rules on every event of an archive, and nearly every event can
 * match none of them: each rule names the service and the API calls it is about (or, for the root
 * account's activity, the identity type). The gate keeps, per event source, event type, event name and
 * identity type, only the rules whose pattern could match (`patternGate`), so that most events cost a few
 * map lookups. The rules it keeps are in their original order, so `evaluate` over them
 * gives exactly the alerts it gives over all the rules.
 */
import type { TrailEvent } from '../model.js';
import { isJsonObject } from '../parse/shape.js';
import type { RecordHead } from '../parse/trail-skim.js';
import type { RuleSet } from './model.js';
import { type EnvelopeKey, eventBridgeDetailType, eventBridgeSource, patternGate } from './pattern.js';

/** Kinds of event (source, type, name, identity type) remembered; they come from the input, so this is bounded. */
const MAX_CACHED = 10_000;

function child<K, V extends Map<unknown, unknown>>(map: Map<K, V>, key: K): V {
  let value = map.get(key);
  if (value === undefined) {
    value = new Map() as V;
    map.set(key, value);
  }
  return value;
}

export class RuleGate {
  readonly #ruleSet: RuleSet;
  readonly #gates: readonly ((key: EnvelopeKey) => boolean)[];
  /** eventSource → eventType → eventName → userIdentity.type → the rules that may match. */
  readonly #cache = new Map<string, Map<string | undefined, Map<string, Map<string | undefined, RuleSet>>>>();
  #cached = 0;
  /**
   * Whether a rule may match, by skimmed head: the skim gives one object per distinct head
   * (src/core/parse/trail-heads.ts), so the object is the key.
   */
  readonly #byHead = new WeakMap<RecordHead, boolean>();

  public constructor(ruleSet: RuleSet) {
    this.#ruleSet = ruleSet;
    this.#gates = ruleSet.rules.map((rule) => patternGate(rule.pattern));
  }

  /** The rules that may match `event`, with the rule set's suppressions. */
  public rulesFor(event: TrailEvent): RuleSet {
    // The detail type depends only on the event type and source (see eventBridgeDetailType).
    const byType = child(this.#cache, event.eventSource);
    const byName = child(byType, event.eventType);
    const byIdentity = child(byName, event.eventName);
    // What `detail.userIdentity.type` holds in the envelope (`detail` is the raw record).
    const rawIdentity = event.raw['userIdentity'];
    const type = isJsonObject(rawIdentity) ? rawIdentity['type'] : undefined;
    const identityType = typeof type === 'string' ? type : undefined;
    const cached = byIdentity.get(identityType);
    if (cached !== undefined) return cached;
    const key: EnvelopeKey = {
      source: eventBridgeSource(event.eventSource),
      detailType: eventBridgeDetailType(event),
      eventName: event.eventName,
      identityType,
    };
    const rules = this.#ruleSet.rules.filter((_, i) => this.#gates[i]?.(key) !== false);
    const subset: RuleSet = { rules, suppressions: this.#ruleSet.suppressions };
    if (this.#cached >= MAX_CACHED) {
      this.#cache.clear();
      this.#cached = 0;
    } else {
      byIdentity.set(identityType, subset);
      this.#cached += 1;
    }
    return subset;
  }

  /**
   * Whether a rule may match a record known only by the head its bytes give (`readHead`), whatever its
   * event type: when not, the record need not be parsed for the rules' sake.
   */
  public mayMatch(head: RecordHead): boolean {
    const known = this.#byHead.get(head);
    if (known !== undefined) return known;
    const key: EnvelopeKey = {
      source: eventBridgeSource(head.eventSource),
      detailType: undefined,
      eventName: head.eventName,
      identityType: head.identityType,
    };
    const may = this.#gates.some((gate) => gate(key));
    this.#byHead.set(head, may);
    return may;
  }
}
