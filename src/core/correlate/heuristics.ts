/**
 * The attribution heuristics. Each is a small pure function of one candidate event and the change,
 * returning a score contribution, a short label saying why, and optionally an exclusion: `soft`
 * (only used when nothing better exists) or `hard` (never). Weights are in `WEIGHTS` so the order
 * they produce can be read in one place.
 */
import type { ConfigChange, Identifier, IndexedEvent } from '../model.js';
import type { ChangeKey, ChangeKeyKind } from './keys.js';
import { isGlobalService, serviceOfSource, serviceOfType } from './services.js';
import { lifecycleOf, verbClassOf } from './verbs.js';

export const WEIGHTS = {
  match: {
    resourceId: 30,
    arn: 30,
    resourceName: 20,
    derived: 10,
    association: 10,
    alias: 10,
  } satisfies Record<ChangeKeyKind, number>,
  sameType: 15,
  otherType: -25,
  sameService: 20,
  otherService: -15,
  lifecycleFits: 40,
  lifecycleContradicts: -40,
  verbFits: 10,
  verbContradicts: -10,
  createForUpdate: -20,
  deleteForUpdate: -30,
  sameRegion: 5,
  otherRegion: -20,
  proximityMax: 10,
  subject: 5,
  propertyFits: 10,
  propertyMismatch: -10,
} as const;

/** A change key found in the event, and the event's identifier that carried it. */
export interface KeyMatch {
  readonly key: ChangeKey;
  readonly identifier: Identifier;
}

export interface HeuristicContext {
  readonly change: ConfigChange;
  readonly event: IndexedEvent;
  /** Undefined for an event Config itself related to the change that carries none of its keys. */
  readonly match: KeyMatch | undefined;
  readonly windowMs: number;
}

export type Exclusion = 'soft' | 'hard';

export interface Outcome {
  readonly score: number;
  readonly reason: string;
  readonly exclude?: Exclusion;
}

export type Heuristic = (ctx: HeuristicContext) => Outcome;

const NEUTRAL = (reason: string): Outcome => ({ score: 0, reason });

/** A match on the resource's id or ARN outweighs one on its name, which outweighs a derived form. */
export const matchStrength: Heuristic = ({ match }) =>
  match === undefined
    ? NEUTRAL('no key match')
    : { score: WEIGHTS.match[match.key.kind], reason: `matched ${match.key.kind}` };

/** The identifier names a resource of the change's type (a role and a security group can share a name). */
export const resourceTypeFits: Heuristic = ({ change, match }) => {
  const type = match?.identifier.resourceType;
  if (type === undefined) return NEUTRAL('identifier type unknown');
  if (type === change.resourceType) return { score: WEIGHTS.sameType, reason: 'same resource type' };
  return { score: WEIGHTS.otherType, reason: `identifier is a ${type}`, exclude: 'soft' };
};

/** The event comes from the service that manages the resource type. */
export const serviceFits: Heuristic = ({ change, event }) => {
  const expected = serviceOfType(change.resourceType);
  const actual = serviceOfSource(event.eventSource);
  if (expected === undefined) return NEUTRAL('service unknown');
  return expected === actual
    ? { score: WEIGHTS.sameService, reason: `${actual} manages ${change.resourceType}` }
    : { score: WEIGHTS.otherService, reason: `${actual} call on a ${expected} resource` };
};

/** A name shared by a resource of another type in another service is a different resource. */
export const notANameCollision: Heuristic = ({ change, event, match }) => {
  const type = match?.identifier.resourceType;
  if (type === undefined || type === change.resourceType) return NEUTRAL('no collision');
  const service = serviceOfType(change.resourceType);
  if (service === undefined || service === serviceOfSource(event.eventSource)) return NEUTRAL('no collision');
  return { score: 0, reason: `names a ${type} in ${serviceOfSource(event.eventSource)}`, exclude: 'hard' };
};

/** A create for CREATE, a delete for DELETE; a delete for a CREATE is excluded unless nothing else. */
export const verbFits: Heuristic = ({ change, event }) => {
  const lifecycle = lifecycleOf(event.eventName, change.resourceType);
  const verb = verbClassOf(event.eventName);
  switch (change.changeType) {
    case 'CREATE':
      if (lifecycle === 'create') return { score: WEIGHTS.lifecycleFits, reason: 'creates the resource' };
      if (lifecycle === 'delete') {
        return {
          score: WEIGHTS.lifecycleContradicts,
          reason: 'deletes, change is a creation',
          exclude: 'soft',
        };
      }
      if (verb === 'create' || verb === 'put') return { score: WEIGHTS.verbFits, reason: 'create-like call' };
      if (verb === 'delete' || verb === 'remove')
        return { score: WEIGHTS.verbContradicts, reason: 'delete-like call' };
      return NEUTRAL('update-like call');
    case 'DELETE':
      if (lifecycle === 'delete') return { score: WEIGHTS.lifecycleFits, reason: 'deletes the resource' };
      if (lifecycle === 'create') {
        return {
          score: WEIGHTS.lifecycleContradicts,
          reason: 'creates, change is a deletion',
          exclude: 'soft',
        };
      }
      if (verb === 'delete' || verb === 'remove')
        return { score: WEIGHTS.verbFits, reason: 'delete-like call' };
      if (verb === 'create') return { score: WEIGHTS.verbContradicts, reason: 'create-like call' };
      return NEUTRAL('update-like call');
    case 'UPDATE':
      if (lifecycle === 'create')
        return { score: WEIGHTS.createForUpdate, reason: 'creates, change is an update' };
      if (lifecycle === 'delete')
        return { score: WEIGHTS.deleteForUpdate, reason: 'deletes, change is an update' };
      return { score: WEIGHTS.verbFits, reason: 'update-like call' };
  }
};

/** Regional resources are changed by calls in their region; global services log in one region. */
export const regionFits: Heuristic = ({ change, event }) => {
  if (event.awsRegion === change.awsRegion) return { score: WEIGHTS.sameRegion, reason: 'same region' };
  if (change.awsRegion === 'global' || isGlobalService(serviceOfSource(event.eventSource))) {
    return NEUTRAL('global service');
  }
  return { score: WEIGHTS.otherRegion, reason: `call in ${event.awsRegion}`, exclude: 'soft' };
};

/** Config captures shortly after the call, so of two calls the later one is the likelier cause. */
export const proximity: Heuristic = ({ change, event, windowMs }) => {
  const lag = change.captureTimeMs - event.eventTimeMs;
  if (windowMs <= 0 || lag < 0 || lag > windowMs) return NEUTRAL('outside window');
  const score = Math.round(WEIGHTS.proximityMax * (1 - lag / windowMs));
  return { score, reason: `${Math.round(lag / 1000)}s before capture` };
};

/**
 * The identifier sits where a call names its subject (a top-level parameter, the created object in
 * the response, `resources`) rather than deep inside, where it is usually a reference to another
 * resource (a source security group in a rule).
 */
export function isSubjectPath(path: string): boolean {
  if (path.startsWith('resources[')) return true;
  let dots = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 35 /* # */) break;
    if (c === 91 /* [ */) return false;
    if (c === 46 /* . */ && ++dots > 2) return false;
  }
  return true;
}

export const subjectOfCall: Heuristic = ({ match }) =>
  match !== undefined && isSubjectPath(match.identifier.path)
    ? { score: WEIGHTS.subject, reason: 'subject of the call' }
    : NEUTRAL('referenced in passing');

function isTagPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower.includes('.tags') || lower.includes('.tagset') || lower === 'tags';
}

/** Tagging calls explain tag changes and nothing else; Config says which properties changed. */
export const propertiesFit: Heuristic = ({ change, event }) => {
  const properties = change.changedProperties;
  if (properties.length === 0) return NEUTRAL('changed properties unknown');
  const tagging = event.eventName.includes('Tag');
  const tagsOnly = properties.every((p) => isTagPath(p.path));
  if (tagging) {
    if (tagsOnly) return { score: WEIGHTS.propertyFits, reason: 'tagging call, tags changed' };
    if (!properties.some((p) => isTagPath(p.path))) {
      return { score: WEIGHTS.propertyMismatch, reason: 'tagging call, tags unchanged' };
    }
    return NEUTRAL('tagging call among other changes');
  }
  return tagsOnly
    ? { score: WEIGHTS.propertyMismatch, reason: 'only tags changed' }
    : NEUTRAL('not a tagging call');
};

export const HEURISTICS: readonly Heuristic[] = [
  matchStrength,
  resourceTypeFits,
  serviceFits,
  notANameCollision,
  verbFits,
  regionFits,
  proximity,
  subjectOfCall,
  propertiesFit,
];
