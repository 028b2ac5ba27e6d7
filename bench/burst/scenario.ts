/**
 * The burst: a `terraform apply` that changes `changes` resources within `spreadMs`, each change made by one
 * API call, with the delays documented in bench/README.md drawn from a seeded generator:
 *
 * - CloudTrail delivery (the call's event reaches EventBridge, hence the event index, and LookupEvents):
 *   log-normal, median 2 minutes, sigma 0.65 (p95 about 6 minutes), cut at 15 minutes;
 * - AWS Config capture (call → configurationItemCaptureTime): log-normal, median 90 s, sigma 0.6, between
 *   20 s and 10 minutes; the change notification reaches the queue 2 s after capture;
 * - a few events never reach the index (`lostShare`): EventBridge delivers at least once to a target that
 *   works, but an index write that ends in a dead-letter queue, or an event of a global service without
 *   the us-east-1 forwarder, leaves only LookupEvents to find it.
 */
import { configItemEvent } from '../gen/episodes.js';
import { ipPermissions, record } from '../gen/records.js';
import { type Account, type Json, makeAccount } from '../gen/world.js';
import { Rng } from '../lib/rng.js';

export interface BurstOptions {
  readonly changes: number;
  readonly spreadMs: number;
  readonly seed: number;
  readonly lostShare: number;
}

export const DEFAULT_BURST: BurstOptions = {
  changes: 1000,
  spreadMs: 120_000,
  seed: 20261118,
  lostShare: 0.005,
};

export const DELAYS = {
  cloudTrail: { medianMs: 120_000, sigma: 0.65, maxMs: 15 * 60_000 },
  config: { medianMs: 90_000, sigma: 0.6, minMs: 20_000, maxMs: 10 * 60_000 },
  notifyAfterCaptureMs: 2_000,
  /** index-events Lambda: EventBridge → DynamoDB. */
  indexWriteMs: 1_000,
  /** One LookupEvents round trip. */
  lookupLatencyMs: 300,
} as const;

export interface BurstChange {
  readonly i: number;
  readonly callMs: number;
  /** When the event is in EventBridge and LookupEvents. */
  readonly deliveredMs: number;
  /** The event never reaches the index (LookupEvents still has it). */
  readonly lost: boolean;
  readonly captureMs: number;
  /** When the Config change notification is on the queue. */
  readonly notifiedMs: number;
  readonly record: Json;
  /** The EventBridge "Config Configuration Item Change" event. */
  readonly configEvent: Json;
  readonly account: string;
  readonly region: string;
  readonly resourceId: string;
}

const START = Date.UTC(2026, 10, 18, 9, 0, 0);

export function makeBurst(options: BurstOptions = DEFAULT_BURST): {
  changes: BurstChange[];
  account: Account;
  startMs: number;
} {
  const root = new Rng(options.seed);
  const account = makeAccount(root.fork('world'), '111122223333', 1);
  const rng = root.fork('burst');
  const caller = account.callers.terraform[0]!;
  const region = 'eu-west-1';
  const changes: BurstChange[] = [];
  for (let i = 0; i < options.changes; i++) {
    const callMs = START + Math.round(rng.next() * options.spreadMs);
    const ct = DELAYS.cloudTrail;
    const deliveredMs = callMs + Math.round(Math.min(ct.maxMs, rng.logNormal(ct.medianMs, ct.sigma)));
    const cfg = DELAYS.config;
    const captureMs =
      callMs + Math.round(Math.min(cfg.maxMs, Math.max(cfg.minMs, rng.logNormal(cfg.medianMs, cfg.sigma))));
    const lost = rng.chance(options.lostShare);
    const ctx = { rng, account, region, timeMs: callMs, caller };
    const groupId = `sg-${rng.hex(17)}`;
    const name = `tf-sg-${i}`;
    const rec = record(ctx, 'ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', {
      readOnly: false,
      requestParameters: { groupId, ipPermissions: ipPermissions(443, '10.0.0.0/8') },
      responseElements: {
        requestId: rng.uuid(),
        _return: true,
        securityGroupRuleSet: {
          items: [
            { groupOwnerId: account.id, groupId, securityGroupRuleId: `sgr-${rng.hex(17)}`, isEgress: false },
          ],
        },
      },
    });
    const configEvent = configItemEvent(rng, {
      account,
      recordingRegion: region,
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: groupId,
      resourceName: name,
      arn: `arn:aws:ec2:${region}:${account.id}:security-group/${groupId}`,
      awsRegion: region,
      captureMs,
      changeType: 'UPDATE',
      changed: {
        'Configuration.IpPermissions.1': {
          previousValue: null,
          updatedValue: { fromPort: 443, ipProtocol: 'tcp', toPort: 443, ipRanges: ['10.0.0.0/8'] },
          changeType: 'CREATE',
        },
      },
      configuration: { groupName: name, groupId, vpcId: `vpc-${rng.hex(17)}`, ipPermissions: [] },
      tags: { Name: name, 'managed-by': 'terraform' },
    });
    changes.push({
      i,
      callMs,
      deliveredMs,
      lost,
      captureMs,
      notifiedMs: captureMs + DELAYS.notifyAfterCaptureMs,
      record: rec,
      configEvent,
      account: account.id,
      region,
      resourceId: groupId,
    });
  }
  return { changes, account, startMs: START };
}
