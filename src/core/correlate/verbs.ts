/**
 * What an event name says it did: the verb class, and whether it created or deleted a resource of
 * the change's own type (CreateSecurityGroup creates a security group; CreateRoute only updates a
 * route table, and CreateTags updates anything).
 */

export type VerbClass = 'create' | 'delete' | 'put' | 'remove' | 'update';

/** The event created or deleted a resource of the change's type, or neither. */
export type Lifecycle = 'create' | 'delete' | 'none';

const VERB_CLASSES: ReadonlyMap<string, VerbClass> = new Map<string, VerbClass>([
  ['Create', 'create'],
  ['Run', 'create'],
  ['Allocate', 'create'],
  ['Register', 'create'],
  ['Import', 'create'],
  ['Restore', 'create'],
  ['Request', 'create'],
  ['Copy', 'create'],
  ['Provision', 'create'],
  ['Delete', 'delete'],
  ['Terminate', 'delete'],
  ['Release', 'delete'],
  ['Deregister', 'delete'],
  ['Deprovision', 'delete'],
  ['Put', 'put'],
  ['Remove', 'remove'],
]);

/** Nouns that create or delete a type although they are not its name. */
const NOUN_SYNONYMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['AWS::EC2::EIP', ['address', 'addresses']],
  ['AWS::EC2::VPC', ['defaultvpc']],
  ['AWS::EC2::Subnet', ['defaultsubnet']],
  ['AWS::IAM::Role', ['servicelinkedrole']],
  [
    'AWS::RDS::DBInstance',
    ['dbinstancereadreplica', 'dbinstancefromdbsnapshot', 'dbinstancefroms3', 'dbinstancetopointintime'],
  ],
  ['AWS::RDS::DBCluster', ['dbclusterfromsnapshot', 'dbclustertopointintime', 'dbclusterfroms3']],
]);

/** Calls whose verb hides what they do to a resource's life. */
const SPECIAL_LIFECYCLE: ReadonlyMap<string, readonly [type: string, lifecycle: Lifecycle]> = new Map([
  ['ScheduleKeyDeletion', ['AWS::KMS::Key', 'delete']],
]);

/** API versions some services append to event names: `CreateFunction20150331`, `...20150331v2`. */
const VERSION_SUFFIX = /\d{8}(?:v\d+)?$/;

export function splitEventName(eventName: string): { verb: string; noun: string } {
  let i = 1;
  while (i < eventName.length) {
    const c = eventName.charCodeAt(i);
    if (c < 97 || c > 122) break;
    i++;
  }
  return { verb: eventName.slice(0, i), noun: eventName.slice(i).replace(VERSION_SUFFIX, '') };
}

export function verbClassOf(eventName: string): VerbClass {
  return VERB_CLASSES.get(splitEventName(eventName).verb) ?? 'update';
}

function nounNamesType(noun: string, resourceType: string): boolean {
  const n = noun.toLowerCase();
  const typeName = resourceType.slice(resourceType.lastIndexOf(':') + 1).toLowerCase();
  if (typeName === '') return false;
  if (n === typeName || n === `${typeName}s` || n === `${typeName}es`) return true;
  return NOUN_SYNONYMS.get(resourceType)?.includes(n) ?? false;
}

/** Whether the event created or deleted a resource of `resourceType` (not one of its parts). */
export function lifecycleOf(eventName: string, resourceType: string): Lifecycle {
  const special = SPECIAL_LIFECYCLE.get(eventName);
  if (special !== undefined) return special[0] === resourceType ? special[1] : 'none';
  const { verb, noun } = splitEventName(eventName);
  const verbClass = VERB_CLASSES.get(verb);
  if (verbClass !== 'create' && verbClass !== 'delete') return 'none';
  return nounNamesType(noun, resourceType) ? verbClass : 'none';
}
