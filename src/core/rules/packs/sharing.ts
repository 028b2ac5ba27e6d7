/** Snapshots and images shared publicly or with another account: a copy of the data leaves the account. */
import type { TrailEvent } from '../../model.js';
import { items, list, request, requestScalars, text, unique } from '../inspect.js';
import { type ConditionResult, matched, notMatched, type Rule } from '../model.js';
import { apiCall, SUCCEEDED } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Logic

interface Audience {
  readonly public: boolean;
  readonly accounts: string[];
}

function audienceOf(event: TrailEvent, entries: readonly { group?: unknown; userId?: unknown }[]): Audience {
  const accounts = entries
    .map((entry) => text(entry.userId))
    .filter((account): account is string => account !== undefined && account !== event.accountId);
  return { public: entries.some((entry) => entry.group === 'all'), accounts: unique(accounts) };
}

function shared(audience: Audience, extra: Record<string, unknown>): ConditionResult {
  if (!audience.public && audience.accounts.length === 0) {
    return notMatched('no permission added for everyone or for another account');
  }
  return matched({ ...extra, public: audience.public, accounts: audience.accounts });
}

/** ModifySnapshotAttribute adding createVolumePermission for group "all" or another account's userId. */
function snapshotShared(event: TrailEvent): ConditionResult {
  const added = items(request(event, 'createVolumePermission', 'add'));
  return shared(audienceOf(event, added), requestScalars(event, 'snapshotId'));
}

/** ModifyImageAttribute adding launchPermission for group "all" or another account (organizations are not counted). */
function imageShared(event: TrailEvent): ConditionResult {
  const added = items(request(event, 'launchPermission', 'add'));
  const organizations = added
    .flatMap((entry) => [text(entry['organizationArn']), text(entry['organizationalUnitArn'])])
    .filter((arn): arn is string => arn !== undefined);
  return shared(audienceOf(event, added), {
    ...requestScalars(event, 'imageId'),
    ...(organizations.length > 0 && { organizations }),
  });
}

/** ModifyDB(Cluster)SnapshotAttribute adding "all" or account ids to the "restore" attribute. */
function dbSnapshotShared(event: TrailEvent): ConditionResult {
  if (request(event, 'attributeName') !== 'restore') return notMatched('not the restore attribute');
  const values = list(request(event, 'valuesToAdd')).map(text);
  const entries = values
    .filter((value): value is string => value !== undefined)
    .map((value) => (value === 'all' ? { group: 'all' } : { userId: value }));
  return shared(
    audienceOf(event, entries),
    requestScalars(event, 'dBSnapshotIdentifier', 'dBClusterSnapshotIdentifier'),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Rules

const CHECK =
  'Check that the receiving accounts (`accounts`) are yours or a partner you chose; a public share (`public`) is almost never intended. Removing the permission does not undo copies already made.';

export const sharingRules: readonly Rule[] = [
  {
    id: 'sharing.ebs-snapshot-shared',
    title: 'EBS snapshot shared publicly or with another account',
    severity: 'high',
    description: `An EBS snapshot was shared: the receiver can create a volume from it and read every byte of the disk, including deleted files and credentials. ${CHECK}`,
    pattern: apiCall('ec2', ['ModifySnapshotAttribute'], { ...SUCCEEDED }),
    condition: snapshotShared,
  },
  {
    id: 'sharing.ami-shared',
    title: 'AMI shared publicly or with another account',
    severity: 'high',
    description: `An AMI was shared: the receiver can launch it and read its snapshots, including any secrets baked into the image. Shares with your own organization or OUs are not alerted. ${CHECK}`,
    pattern: apiCall('ec2', ['ModifyImageAttribute'], { ...SUCCEEDED }),
    condition: imageShared,
  },
  {
    id: 'sharing.rds-snapshot-shared',
    title: 'RDS snapshot shared publicly or with another account',
    severity: 'high',
    description: `An RDS DB or cluster snapshot was shared: the receiver can restore the whole database in their own account. ${CHECK}`,
    pattern: apiCall('rds', ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'], {
      ...SUCCEEDED,
    }),
    condition: dbSnapshotShared,
  },
];
