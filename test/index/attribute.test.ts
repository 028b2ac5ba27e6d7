import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_MS } from '../../src/core/correlate.js';
import { toIndexedEvent } from '../../src/core/identifiers.js';
import type { IndexedEvent, TrailEvent } from '../../src/core/model.js';
import { attributeChange } from '../../src/index/attribute.js';
import { MemoryEventIndex } from '../../src/index/memory.js';
import type { EventIndex, EventQuery } from '../../src/index/port.js';
import { configChange } from '../helpers/config-change.js';
import { fixtureEvents, stubPrincipal } from '../helpers/trail-event.js';

const ACCOUNT = '111122223333';

/** The memory index, recording the queries it answers. */
class RecordingIndex implements EventIndex {
  public readonly queries: EventQuery[] = [];
  private readonly inner = new MemoryEventIndex();

  public async put(events: readonly IndexedEvent[]): Promise<void> {
    await this.inner.put(events);
  }

  public async query(query: EventQuery): Promise<IndexedEvent[]> {
    this.queries.push(query);
    return this.inner.query(query);
  }
}

async function loaded(...fixtures: string[]): Promise<RecordingIndex> {
  const index = new RecordingIndex();
  const events: TrailEvent[] = fixtures.flatMap((f) => fixtureEvents(f));
  await index.put(events.flatMap((e) => toIndexedEvent(e, stubPrincipal) ?? []));
  return index;
}

describe('attributeChange', () => {
  it('attributes from one query when the change names the event directly', async () => {
    const index = await loaded(
      'security-group.json',
      'iam-role.json',
      'rds.json',
      'route-table.json',
      's3.json',
    );
    const change = configChange({
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0a3f5c2e9b7d41e86',
      resourceName: 'web-sg',
      captureTime: '2026-03-02T10:21:45Z',
      changedProperties: [{ path: 'Configuration.IpPermissions.1', changeType: 'CREATE' }],
    });
    const result = await attributeChange(change, index, { windowMs: DEFAULT_WINDOW_MS });
    expect(result).toMatchObject({ status: 'attributed', via: 'index' });
    if (result.status === 'attributed') {
      expect(result.event.eventName).toBe('AuthorizeSecurityGroupIngress');
      expect(result.event.principal).toBe(stubPrincipal);
    }
    expect(index.queries[0]).toEqual({
      accountId: ACCOUNT,
      keys: ['sg-0a3f5c2e9b7d41e86', 'web-sg'],
      fromMs: Date.parse('2026-03-02T10:06:45Z'),
      toMs: Date.parse('2026-03-02T10:21:45Z'),
    });
  });

  it('queries again by the aliases the first hits carry (an IAM role known only by its id)', async () => {
    const index = await loaded('iam-role.json');
    const change = configChange({
      resourceType: 'AWS::IAM::Role',
      resourceId: 'AROAYTQFHXKP7ROLE0001',
      awsRegion: 'global',
      captureTime: '2026-03-02T11:00:30Z',
      changeType: 'CREATE',
    });
    const result = await attributeChange(change, index, { windowMs: DEFAULT_WINDOW_MS });
    expect(index.queries).toHaveLength(2);
    expect([...(index.queries[1]?.keys ?? [])].sort()).toEqual(
      ['app-role', 'arn:aws:iam::111122223333:role/service/app-role'].sort(),
    );
    expect(result.status).toBe('attributed');
    if (result.status === 'attributed') {
      expect(result.event.eventName).toBe('CreateRole');
      expect(result.others.map((e) => e.eventName).sort()).toEqual([
        'AddRoleToInstanceProfile',
        'AttachRolePolicy',
        'PutRolePolicy',
      ]);
    }
  });

  it('looks back further for association calls when asked to', async () => {
    const index = await loaded('route-table.json');
    const change = configChange({
      resourceType: 'AWS::EC2::RouteTable',
      resourceId: 'rtb-0f1e2d3c4b5a69788',
      captureTime: '2026-03-02T13:06:00Z',
      oversized: true,
    });
    const narrow = await attributeChange(change, index, { windowMs: DEFAULT_WINDOW_MS });
    expect(narrow.status).toBe('unattributed');
    if (narrow.status === 'unattributed') {
      expect(narrow.reason).toContain('no write event in the index refers to rtb-0f1e2d3c4b5a69788 between');
    }
    const wide = await attributeChange(change, index, {
      windowMs: DEFAULT_WINDOW_MS,
      aliasLookbackMs: 7 * 24 * 60 * 60 * 1000,
    });
    expect(wide).toMatchObject({ status: 'attributed', matchedOn: ['alias=rtbassoc-0c9d8e7f6a5b4c3d2'] });
    if (wide.status === 'attributed') expect(wide.event.eventName).toBe('DisassociateRouteTable');
  });

  it('reports an unattributed change with its reason rather than dropping it', async () => {
    const index = await loaded('s3.json');
    const change = configChange({
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'someone-elses-bucket',
      captureTime: '2026-03-02T14:05:40Z',
    });
    const result = await attributeChange(change, index, { windowMs: 10 * 60 * 1000 });
    expect(result).toEqual({
      status: 'unattributed',
      reason:
        'no write event in the index refers to someone-elses-bucket (or arn:aws:s3:::someone-elses-bucket) between 2026-03-02T13:55:40.000Z and 2026-03-02T14:05:40.000Z (10-minute window)',
    });
  });
});
