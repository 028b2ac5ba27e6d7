/** Lambda-shaped inputs and recording telemetry for the handler tests. */
import { readFileSync } from 'node:fs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Counters, Log, MetricName } from '../../src/lambda/telemetry.js';

const fixtures = new URL('../fixtures/lambda/', import.meta.url);

export function lambdaFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, fixtures), 'utf8')) as T;
}

/** A Lambda context for an attribution function in account 111122223333, eu-west-1. */
export function lambdaContext(name = 'cloudblame-attribute-changes', remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: 'f3a5c7e9-1b3d-4f5a-8c7e-9b1d3f5a7c90',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2026/03/02/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111122223333:cloudblame-config-changes';
export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/cloudblame-config-changes';

/**
 * The SQS record of `sqs-config-change.json` with another body, message id and receive count: what the
 * Lambda event source mapping delivers for a message an EventBridge rule put on the queue.
 */
export function sqsRecord(body: unknown, messageId: string, receiveCount = 1): SQSRecord {
  const template = lambdaFixture<SQSEvent>('sqs-config-change.json').Records[0]!;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    ...template,
    messageId,
    receiptHandle: `AQEB${Buffer.from(`${messageId}#${receiveCount}`).toString('base64')}`,
    body: text,
    attributes: { ...template.attributes, ApproximateReceiveCount: String(receiveCount) },
  };
}

export function sqsEvent(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}

/** Counters kept in memory. */
export class MemoryCounters implements Counters {
  public readonly totals = new Map<MetricName, number>();
  public flushes = 0;

  public count(name: MetricName, value = 1): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }

  public get(name: MetricName): number {
    return this.totals.get(name) ?? 0;
  }

  public flush(): void {
    this.flushes += 1;
  }
}

export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly extra?: Record<string, unknown>;
}

/** A log that keeps its entries, to assert on and to search for what must never be logged. */
export class MemoryLog implements Log {
  public readonly entries: LogEntry[] = [];

  public debug(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'debug', message, ...(extra !== undefined && { extra }) });
  }

  public info(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, ...(extra !== undefined && { extra }) });
  }

  public warn(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, ...(extra !== undefined && { extra }) });
  }

  public error(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, ...(extra !== undefined && { extra }) });
  }

  public text(): string {
    return JSON.stringify(this.entries);
  }
}

/** A sleep that records and returns at once; time does not move unless the test moves it. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
}
