import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverAll } from '../../src/sinks/deliver.js';
import { DynamoIdempotencyStore, IdempotencyStoreError } from '../../src/sinks/dynamo-idempotency.js';
import type { Sink, SinkPayload } from '../../src/sinks/port.js';
import { type LocalDynamo, startDynalite } from '../helpers/aws-local.js';

const KEY = 'change:111122223333:eu-west-1:AWS::EC2::SecurityGroup:sg-0a6b3c9d2e1f47085:1772445851482';
let dynamo: LocalDynamo;
let tables = 0;

async function freshTable(): Promise<string> {
  const name = `idempotency-${++tables}`;
  await dynamo.createIdempotencyTable(name);
  return name;
}

function store(
  tableName: string,
  options: Partial<ConstructorParameters<typeof DynamoIdempotencyStore>[0]> = {},
) {
  return new DynamoIdempotencyStore({ client: dynamo.client, tableName, useLocalCache: false, ...options });
}

class CountingSink implements Sink {
  public readonly kind = 'webhook';
  public sent = 0;
  public constructor(public readonly name: string) {}
  public async deliver(_payload: SinkPayload, _key: string): Promise<void> {
    this.sent += 1;
  }
}

const payload: SinkPayload = { type: 'json', json: { text: 'hello' } };

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

describe('DynamoIdempotencyStore (Powertools DynamoDBPersistenceLayer on dynalite)', () => {
  it('claims, sees the claim in progress, completes, and then says done', async () => {
    const table = await freshTable();
    const a = store(table);
    expect(await a.claim(KEY)).toBe('claimed');
    expect(await a.claim(KEY)).toBe('in-progress');
    await a.complete(KEY);
    expect(await a.claim(KEY)).toBe('done');

    const item = await dynamo.doc.send(new GetCommand({ TableName: table, Key: { id: a.recordId(KEY) } }));
    expect(item.Item?.['status']).toBe('COMPLETED');
    expect(typeof item.Item?.['expiration']).toBe('number');
    expect(a.recordId(KEY).startsWith('cloudblame#')).toBe(true);
  });

  it('gives a released claim back for the next delivery', async () => {
    const table = await freshTable();
    const a = store(table);
    expect(await a.claim(KEY)).toBe('claimed');
    await a.release(KEY);
    expect(await a.claim(KEY)).toBe('claimed');
  });

  it('lets a claim take over one whose invocation ran out of time', async () => {
    const table = await freshTable();
    const crashed = store(table, { remainingTimeMs: () => -1000 });
    expect(await crashed.claim(KEY)).toBe('claimed');
    expect(await store(table).claim(KEY)).toBe('claimed');
  });

  it('is shared by two functions (two store instances, one table)', async () => {
    const table = await freshTable();
    const first = store(table, { useLocalCache: true });
    const second = store(table, { useLocalCache: true });
    const sink = new CountingSink('slack');
    const items = [{ sink, payload, key: KEY }];
    const one = await deliverAll(items, first);
    const two = await deliverAll(items, second);
    const three = await deliverAll(items, first);
    expect(sink.sent).toBe(1);
    expect(one.delivered).toEqual([`slack|${KEY}`]);
    expect(two.skipped).toEqual([`slack|${KEY}`]);
    expect(three.skipped).toEqual([`slack|${KEY}`]);
  });

  it('posts once when a second delivery of the key comes while the first is sending', async () => {
    const table = await freshTable();
    let entered: () => void = () => undefined;
    let open: () => void = () => undefined;
    const sending = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let sent = 0;
    const slow: Sink = {
      name: 'slack',
      kind: 'slack',
      deliver: async () => {
        entered();
        await gate;
        sent += 1;
      },
    };
    const first = deliverAll([{ sink: slow, payload, key: KEY }], store(table));
    await sending;
    const second = await deliverAll([{ sink: slow, payload, key: KEY }], store(table));
    open();
    const report = await first;
    expect(sent).toBe(1);
    expect(report.delivered).toEqual([`slack|${KEY}`]);
    expect(second.failed).toHaveLength(1);
    expect(second.failed[0]?.error.name).toBe('DeliveryInProgressError');
    expect(second.failed[0]?.error.retryable).toBe(true);
    // The retry of the second one, later, finds it done.
    const retried = await deliverAll([{ sink: slow, payload, key: KEY }], store(table));
    expect(retried.skipped).toEqual([`slack|${KEY}`]);
    expect(sent).toBe(1);
  });

  it('fails with IdempotencyStoreError when the table cannot be used', async () => {
    const missing = store('no-such-table');
    const error = await missing.claim(KEY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyStoreError);
    expect((error as IdempotencyStoreError).context).toMatchObject({
      table: 'no-such-table',
      operation: 'claim',
      code: 'ResourceNotFoundException',
      retryable: false,
    });
    const down = new DynamoIdempotencyStore({
      client: new DynamoDBClient({
        endpoint: 'http://127.0.0.1:9',
        region: 'eu-west-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 1,
      }),
      tableName: 'idempotency',
    });
    const unreachable = await down.claim(KEY).catch((e: unknown) => e);
    expect((unreachable as IdempotencyStoreError).context.retryable).toBe(true);
  });
});
