/** `MessageVisibility` on Amazon SQS: `ChangeMessageVisibility` for one received message. */
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageVisibility } from '../lambda/defer.js';
import { AwsAdapterError, awsErrorContext, describeAwsError } from './errors.js';

export class VisibilityError extends AwsAdapterError {
  public constructor(message: string, context: AwsAdapterError['context'], options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'VisibilityError';
  }
}

export class SqsMessageVisibility implements MessageVisibility {
  readonly #client: SQSClient;

  public constructor(client: SQSClient) {
    this.#client = client;
  }

  public async change(queueUrl: string, receiptHandle: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.#client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: timeoutSeconds,
        }),
      );
    } catch (error) {
      throw new VisibilityError(
        `ChangeMessageVisibility on ${queueUrl} failed: ${describeAwsError(error)}`,
        awsErrorContext('sqs', 'ChangeMessageVisibility', error, queueUrl),
        { cause: error },
      );
    }
  }
}
