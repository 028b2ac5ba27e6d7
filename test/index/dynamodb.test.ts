import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IndexedEvent } from '../../src/core/model.js';
import {
  DynamoEventIndex,
  decodeIndexedEvent,
  EventIndexError,
  IndexItemDecodeError,
  partitionKey,
  sortKey,
  sortKeyRange,
  storedKeys,
} from '../../src/index/dynamodb.js';
import { type LocalDynamo, startDynalite } from '../helpers/aws-local.js';
import { stubPrincipal } from '../helpers/trail-event.js';

const ACCOUNT = '111122223333';
const T0 = Date.parse('2026-03-02T10:00:00Z');

function indexed(
  eventId: string,
  eventTimeMs: number,
  keys: readonly string[],
  extra: Partial<IndexedEvent> = {},
): IndexedEvent {
  return {
    eventId,
    eventName: 'AuthorizeSecurityGroupIngress',
    eventSource: 'ec2.amazonaws.com',
    eventTimeMs,
    awsRegion: 'eu-west-1',
    accountId: ACCOUNT,
    principal: stubPrincipal,
    identifiers: keys.map((value) => ({ value, path: 'requestParameters.groupId' })),
    aliases: [],
    ...extra,
  };
}

let dynamo: LocalDynamo;
let tables = 0;

async function freshIndex(options: Partial<ConstructorParameters<typeof DynamoEventIndex>[0]> = {}) {
  const tableName = `index-${++tables}`;
  await dynamo.createIndexTable(tableName);
  const index = new DynamoEventIndex({
    client: dynamo.doc,
    tableName,
    now: () => T0,
    sleep: async () => undefined,
    random: () => 0.5,
    ...options,
  });
  return { index, tableName };
}

async function scan(tableName: string): Promise<Record<string, unknown>[]> {
  const out = await dynamo.doc.send(new ScanCommand({ TableName: tableName }));
  return out.Items ?? [];
}

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

describe('keys', () => {
  it('pads the time so that sort keys order by time', () => {
    expect(sortKey(1_772_445_832_000, 'e-1')).toBe('1772445832000#e-1');
    expect(sortKey(5, 'e')).toBe('0000000000005#e');
    expect(sortKey(999, 'a') < sortKey(1000, 'a')).toBe(true);
    expect(partitionKey(ACCOUNT, 'sg-1')).toBe('111122223333#sg-1');
  });

  it('bounds a window inclusively at both ends', () => {
    const { from, to } = sortKeyRange(1000, 2000);
    for (const inside of [sortKey(1000, 'a'), sortKey(2000, 'zzzz-ffff'), sortKey(1500, 'x')]) {
      expect(inside >= from && inside <= to).toBe(true);
    }
    for (const outside of [sortKey(999, 'zzzz'), sortKey(2001, '0')]) {
      expect(outside >= from && outside <= to).toBe(false);
    }
  });

  it('stores an event under its identifiers, then its alias members, at most 50', () => {
    const many = indexed(
      'big',
      T0,
      Array.from({ length: 120 }, (_, i) => `sg-${i}`),
    );
    expect(storedKeys(many)).toHaveLength(50);
    expect(storedKeys(many)[0]).toBe('sg-0');
    const aliased = indexed('a', T0, ['AROAEXAMPLE'], { aliases: [['AROAEXAMPLE', 'orders-batch']] });
    expect(storedKeys(aliased)).toEqual(['AROAEXAMPLE', 'orders-batch']);
  });

  it('decodes only what is an IndexedEvent', () => {
    const event = indexed('e-1', T0, ['sg-1']);
    expect(decodeIndexedEvent(JSON.stringify(event))).toEqual(event);
    expect(decodeIndexedEvent('{not json')).toBe('attribute e is not valid JSON');
    expect(decodeIndexedEvent(JSON.stringify({ ...event, eventTimeMs: 'soon' }))).toBe(
      'e.eventTimeMs is not a number',
    );
    expect(decodeIndexedEvent(JSON.stringify({ ...event, principal: null }))).toBe(
      'e.principal is not a principal',
    );
  });
});

describe('DynamoEventIndex on dynalite', () => {
  it('finds events by any key in the window, once each, oldest first', async () => {
    const { index } = await freshIndex();
    await index.put([
      indexed('late', T0 + 60_000, ['sg-1', 'orders-api-sg']),
      indexed('early', T0 - 60_000, ['sg-1']),
      indexed('by-name', T0, ['orders-api-sg']),
      indexed('too-old', T0 - 16 * 60_000, ['sg-1']),
      indexed('other-account', T0, ['sg-1'], { accountId: '444455556666' }),
      indexed('other-resource', T0, ['sg-2']),
    ]);
    const found = await index.query({
      accountId: ACCOUNT,
      keys: ['sg-1', 'orders-api-sg'],
      fromMs: T0 - 15 * 60_000,
      toMs: T0 + 60_000,
    });
    expect(found.map((e) => e.eventId)).toEqual(['early', 'by-name', 'late']);
    expect(found[2]).toEqual(indexed('late', T0 + 60_000, ['sg-1', 'orders-api-sg']));
  });

  it('writes one item per key with pk, sk, e and a TTL 24 hours after the event', async () => {
    const { index, tableName } = await freshIndex();
    await index.put([indexed('e-1', T0, ['sg-1', 'orders-api-sg'])]);
    const items = await scan(tableName);
    expect(items.map((item) => item['pk']).sort()).toEqual([
      '111122223333#orders-api-sg',
      '111122223333#sg-1',
    ]);
    for (const item of items) {
      expect(item['sk']).toBe(`${T0}#e-1`);
      expect(item['ttl']).toBe(T0 / 1000 + 24 * 3600);
      expect(typeof item['e']).toBe('string');
    }
  });

  it('counts the TTL from now for an event older than now', async () => {
    const { index, tableName } = await freshIndex({ ttlHours: 2, now: () => T0 + 3_600_000 });
    await index.put([indexed('old', T0, ['sg-1'])]);
    const [item] = await scan(tableName);
    expect(item?.['ttl']).toBe((T0 + 3_600_000) / 1000 + 2 * 3600);
  });

  it('overwrites a duplicate delivery and caps a huge event at 50 items', async () => {
    const { index, tableName } = await freshIndex();
    const event = indexed('e-1', T0, ['sg-1']);
    await index.put([event, event]);
    await index.put([event]);
    await index.put([
      indexed(
        'huge',
        T0,
        Array.from({ length: 300 }, (_, i) => `sg-${String(i).padStart(4, '0')}`),
      ),
    ]);
    const items = await scan(tableName);
    expect(items.filter((item) => String(item['sk']).endsWith('#e-1'))).toHaveLength(1);
    expect(items.filter((item) => String(item['sk']).endsWith('#huge'))).toHaveLength(50);
  });

  it('reads every page of a busy key', async () => {
    const { index } = await freshIndex({ queryPageSize: 3 });
    const events = Array.from({ length: 10 }, (_, i) => indexed(`e-${i}`, T0 + i * 1000, ['sg-busy']));
    await index.put(events);
    const found = await index.query({ accountId: ACCOUNT, keys: ['sg-busy'], fromMs: T0, toMs: T0 + 60_000 });
    expect(found.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it('reports an item that does not decode and returns its neighbours', async () => {
    const problems: unknown[] = [];
    const { index, tableName } = await freshIndex({ onReadProblem: (p) => problems.push(p) });
    await index.put([indexed('good', T0, ['sg-1'])]);
    await dynamo.doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: '111122223333#sg-1', sk: `${T0 + 1}#bad`, e: '{"eventId":', ttl: 0 },
      }),
    );
    const found = await index.query({ accountId: ACCOUNT, keys: ['sg-1'], fromMs: T0 - 1, toMs: T0 + 10 });
    expect(found.map((e) => e.eventId)).toEqual(['good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBeInstanceOf(IndexItemDecodeError);
    expect((problems[0] as IndexItemDecodeError).context).toEqual({
      table: tableName,
      pk: '111122223333#sg-1',
      sk: `${T0 + 1}#bad`,
    });
  });

  it('retries UnprocessedItems with backoff until they are written', async () => {
    const tableName = `index-${++tables}`;
    await dynamo.createIndexTable(tableName);
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const send = doc.send.bind(doc);
    let throttledOnce = false;
    // The first BatchWriteItem writes all but two items and hands those back, as DynamoDB does when throttled.
    vi.spyOn(doc, 'send').mockImplementation((async (command: BatchWriteCommand) => {
      const requests = command.input.RequestItems?.[tableName];
      if (requests === undefined || throttledOnce) return send(command);
      throttledOnce = true;
      await send(new BatchWriteCommand({ RequestItems: { [tableName]: requests.slice(2) } }));
      const output: BatchWriteCommandOutput = {
        $metadata: {},
        UnprocessedItems: { [tableName]: requests.slice(0, 2) },
      };
      return output;
    }) as unknown as typeof doc.send);
    const waits: number[] = [];
    const index = new DynamoEventIndex({
      client: doc,
      tableName,
      now: () => T0,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
    });
    await index.put([indexed('a', T0, ['k1', 'k2', 'k3', 'k4'])]);
    expect(waits).toEqual([25]);
    expect(await scan(tableName)).toHaveLength(4);
  });

  it('gives up after the last attempt with a retryable EventIndexError', async () => {
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    vi.spyOn(doc, 'send').mockImplementation((async (command: { input: unknown }) => {
      const input = command.input as { RequestItems: Record<string, unknown[]> };
      return { $metadata: {}, UnprocessedItems: input.RequestItems };
    }) as unknown as typeof doc.send);
    const waits: number[] = [];
    const index = new DynamoEventIndex({
      client: doc,
      tableName: 'never-written',
      maxWriteAttempts: 4,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.999,
    });
    const error = await index.put([indexed('a', T0, ['k1'])]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventIndexError);
    expect((error as EventIndexError).context).toEqual({
      table: 'never-written',
      operation: 'BatchWriteItem',
      unprocessed: 1,
      retryable: true,
    });
    expect(waits).toEqual([49, 99, 199]);
  });

  it('turns a DynamoDB error into an EventIndexError that says whether to retry', async () => {
    const index = new DynamoEventIndex({ client: dynamo.doc, tableName: 'no-such-table' });
    const missing = await index
      .query({ accountId: ACCOUNT, keys: ['sg-1'], fromMs: 0, toMs: 1 })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EventIndexError);
    expect((missing as EventIndexError).context).toMatchObject({
      operation: 'Query',
      code: 'ResourceNotFoundException',
      retryable: false,
    });

    const doc = DynamoDBDocumentClient.from(dynamo.client);
    vi.spyOn(doc, 'send').mockRejectedValue(
      new ProvisionedThroughputExceededException({
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const throttled = await new DynamoEventIndex({ client: doc, tableName: 'x-table' })
      .put([indexed('a', T0, ['k'])])
      .catch((e: unknown) => e);
    expect((throttled as EventIndexError).context).toMatchObject({
      operation: 'BatchWriteItem',
      code: 'ProvisionedThroughputExceededException',
      retryable: true,
    });
  });
});
