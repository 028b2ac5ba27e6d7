import { createHash } from 'node:crypto';
import {
  type MessageAttributeValue,
  PublishCommand,
  type PublishCommandInput,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { PayloadError, SinkConfigError, SnsPublishError } from './errors.js';
import { serialiseJson } from './http.js';
import type { Sink, SinkPayload } from './port.js';

/**
 * Amazon SNS, usually for email subscribers: a text payload is published as Subject and Message; a JSON
 * payload as its serialisation. `payload.meta` becomes message attributes (`severity`, `kind`, `count`)
 * that subscription filter policies can match. On a FIFO topic the deduplication id is the SHA-256 of the
 * delivery key, so SNS itself drops a redelivery within its 5-minute window.
 *
 * The injected client keeps its own SDK retries; give it `maxAttempts: 1` to leave retrying to
 * `withRetry` alone.
 */

export interface SnsSinkOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** Default `sns`. */
  readonly name?: string;
  /** The FIFO message group. Default `cloudblame` (one ordered stream). */
  readonly messageGroupId?: string;
}

/** SNS wants a Subject shorter than 100 characters. */
export const SNS_SUBJECT_MAX_CHARS = 99;
/** SNS takes messages of at most 256 KiB; a little is left for the attributes. */
export const SNS_MESSAGE_MAX_BYTES = 256 * 1024 - 2048;
const TRUNCATION_NOTE = '\n\n[message truncated by cloudblame: it exceeded the SNS size limit]';

const THROTTLING = new Set([
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'KMSThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/**
 * A Subject SNS accepts: no line breaks or control characters, whitespace collapsed, starting with a
 * visible character, at most 99 characters (cut with `...`). Undefined when nothing is left.
 */
export function snsSubject(subject: string | undefined): string | undefined {
  if (subject === undefined) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const clean = subject.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
  if (clean === '') return undefined;
  const chars = Array.from(clean);
  if (chars.length <= SNS_SUBJECT_MAX_CHARS) return clean;
  return `${chars
    .slice(0, SNS_SUBJECT_MAX_CHARS - 3)
    .join('')
    .trimEnd()}...`;
}

/** The topic is a FIFO topic. */
export function isFifoTopic(topicArn: string): boolean {
  return topicArn.endsWith('.fifo');
}

/** A FIFO `MessageDeduplicationId` for a delivery key: 64 hex characters. */
export function deduplicationId(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class SnsSink implements Sink {
  public readonly kind = 'sns';
  public readonly name: string;
  readonly #client: SNSClient;
  readonly #topicArn: string;
  readonly #messageGroupId: string;

  public constructor(options: SnsSinkOptions) {
    this.name = options.name ?? 'sns';
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(options.topicArn)) {
      throw new SinkConfigError(this.name, `not an SNS topic ARN: ${options.topicArn}`);
    }
    this.#client = options.client;
    this.#topicArn = options.topicArn;
    this.#messageGroupId = options.messageGroupId ?? 'cloudblame';
  }

  /** The PublishCommand input for one delivery; exposed for tests and dry runs. */
  public publishInput(payload: SinkPayload, key: string): PublishCommandInput {
    const input: PublishCommandInput = { TopicArn: this.#topicArn, ...this.#message(payload) };
    const subject = snsSubject(payload.subject);
    if (subject !== undefined) input.Subject = subject;
    const attributes = messageAttributes(payload);
    if (attributes !== undefined) input.MessageAttributes = attributes;
    if (isFifoTopic(this.#topicArn)) {
      input.MessageGroupId = this.#messageGroupId;
      input.MessageDeduplicationId = deduplicationId(key);
    }
    return input;
  }

  public async deliver(payload: SinkPayload, key: string): Promise<void> {
    const input = this.publishInput(payload, key);
    try {
      await this.#client.send(new PublishCommand(input));
    } catch (error) {
      throw this.#publishError(error);
    }
  }

  #message(payload: SinkPayload): Pick<PublishCommandInput, 'Message' | 'MessageStructure'> {
    const context = { sink: this.name, target: this.#topicArn, attempts: 0, retryable: false };
    if (payload.type === 'json') {
      const message = serialiseJson(payload.json, this.name);
      if (Buffer.byteLength(message) > SNS_MESSAGE_MAX_BYTES) {
        throw new PayloadError(
          `the JSON message is over the SNS size limit (${SNS_MESSAGE_MAX_BYTES} bytes)`,
          context,
        );
      }
      return { Message: message };
    }
    if (payload.text.trim() === '') throw new PayloadError('the message text is empty', context);
    if (payload.protocols === undefined)
      return { Message: truncateUtf8(payload.text, SNS_MESSAGE_MAX_BYTES) };
    const structure = JSON.stringify({ ...payload.protocols, default: payload.text });
    if (Buffer.byteLength(structure) > SNS_MESSAGE_MAX_BYTES) {
      throw new PayloadError(
        `the per-protocol message is over the SNS size limit (${SNS_MESSAGE_MAX_BYTES} bytes)`,
        context,
      );
    }
    return { Message: structure, MessageStructure: 'json' };
  }

  #publishError(error: unknown): SnsPublishError {
    const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
    const status = typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
    const fault = (error as { $fault?: unknown } | null)?.$fault;
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    // No status and no fault: the request never got an answer (network, timeout), worth retrying.
    const answered = status !== undefined || fault !== undefined;
    const retryable =
      THROTTLING.has(name) ||
      name === 'InternalErrorException' ||
      (status !== undefined && (status === 429 || status >= 500)) ||
      fault === 'server' ||
      (error as { $retryable?: unknown } | null)?.$retryable !== undefined ||
      !answered;
    return new SnsPublishError(
      `Publish to ${this.#topicArn} failed: ${name}: ${message}`,
      {
        sink: this.name,
        target: this.#topicArn,
        attempts: 1,
        retryable,
        ...(status === undefined ? {} : { status }),
      },
      { cause: error },
    );
  }
}

function messageAttributes(payload: SinkPayload): Record<string, MessageAttributeValue> | undefined {
  const meta = payload.meta;
  if (meta === undefined) return undefined;
  const attributes: Record<string, MessageAttributeValue> = {};
  if (meta.severity !== undefined)
    attributes['severity'] = { DataType: 'String', StringValue: meta.severity };
  if (meta.kind !== undefined && meta.kind !== '')
    attributes['kind'] = { DataType: 'String', StringValue: meta.kind };
  if (meta.count !== undefined && Number.isFinite(meta.count)) {
    attributes['count'] = { DataType: 'Number', StringValue: String(meta.count) };
  }
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}

/** `text` cut so that its UTF-8 encoding, a note included, fits in `maxBytes`; whole characters only. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(TRUNCATION_NOTE);
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return `${text.slice(0, end)}${TRUNCATION_NOTE}`;
}
