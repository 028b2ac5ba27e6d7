/**
 * The notification channels of the AWS deployment, as sinks:
 *
 * - `slack`, `teams`, `webhook` channels whose `url` is `{ secretArn }`: the secret (the URL, or JSON
 *   `{"url", "signingSecret"}`) is read through the cached `SecretReader` when a message is sent, so a
 *   rotated secret is picked up when the cache expires and a Secrets Manager outage is a retryable
 *   delivery failure (the SQS message comes back), not a lost notification;
 * - `sns` channels: published to their topic (email text);
 * - the deployment's own topic (`TOPIC_ARN`), always, as the channel `email`: every finding that is
 *   notified, for the email subscribers the construct created.
 *
 * Channels that cannot work in Lambda are left out with an error in the log at cold start: a `url` given
 * as `{ env: NAME }` (webhook URLs are never read from plain environment variables in AWS) and `file`
 * channels (no durable file system).
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { parseWebhookSecret, type SecretReader } from '../aws/secrets.js';
import type { CloudBlameConfig } from '../core/config/schema.js';
import type { NotificationChannel, RouteFilter } from '../core/notify/routing.js';
import type { RoutedSink } from '../pipeline.js';
import { DeliveryError, SinkConfigError } from '../sinks/errors.js';
import type { Sink, SinkPayload } from '../sinks/port.js';
import { SlackSink } from '../sinks/slack.js';
import { SnsSink } from '../sinks/sns.js';
import { TeamsSink } from '../sinks/teams.js';
import { WebhookSink } from '../sinks/webhook.js';
import type { Log } from './telemetry.js';

export interface ChannelWiring {
  readonly secrets: Pick<SecretReader, 'get'>;
  readonly sns: SNSClient;
  /** The deployment's SNS topic (email subscribers); added as the channel `email`. */
  readonly topicArn?: string;
  /** For the HTTP sinks; default the global fetch. */
  readonly fetchImpl?: typeof fetch;
  /** Per HTTP attempt. Default 10 s. */
  readonly timeoutMs?: number;
  readonly log: Log;
}

/** The deployment topic's channel: every notified finding, changes and alerts. */
export function deploymentTopicFilter(name: string): RouteFilter {
  return {
    name,
    minSeverity: 'info',
    outOfBandOnly: false,
    kinds: ['change', 'alert'],
    includeSuppressed: false,
  };
}

type HttpChannel = Extract<NotificationChannel, { type: 'slack' | 'teams' | 'webhook' }>;

/**
 * A Slack, Teams or webhook sink whose URL lives in Secrets Manager. Each attempt reads the secret (from
 * the cache) and sends through a sink built for it; a secret that cannot be read or used fails the
 * attempt with a `DeliveryError` that says so by ARN, never by value.
 */
export class SecretUrlSink implements Sink {
  public readonly name: string;
  public readonly kind: HttpChannel['type'];
  readonly #secretArn: string;
  readonly #secrets: Pick<SecretReader, 'get'>;
  readonly #fetchImpl: typeof fetch | undefined;
  readonly #timeoutMs: number | undefined;

  public constructor(
    channel: { readonly name: string; readonly type: HttpChannel['type'] },
    secretArn: string,
    wiring: Pick<ChannelWiring, 'secrets' | 'fetchImpl' | 'timeoutMs'>,
  ) {
    this.name = channel.name;
    this.kind = channel.type;
    this.#secretArn = secretArn;
    this.#secrets = wiring.secrets;
    this.#fetchImpl = wiring.fetchImpl;
    this.#timeoutMs = wiring.timeoutMs;
  }

  public async deliver(payload: SinkPayload, key: string): Promise<void> {
    await this.#sink().then((sink) => sink.deliver(payload, key));
  }

  async #sink(): Promise<Sink> {
    let url: string;
    let signingSecret: string | undefined;
    try {
      const secret = parseWebhookSecret(await this.#secrets.get(this.#secretArn), this.#secretArn);
      url = secret.url;
      signingSecret = secret.signingSecret;
    } catch (error) {
      const retryable = (error as { retryable?: unknown }).retryable === true;
      const message = error instanceof Error ? error.message : String(error);
      throw new DeliveryError(
        `the webhook URL could not be read: ${message}`,
        {
          sink: this.name,
          target: this.#secretArn,
          attempts: 1,
          retryable,
        },
        { cause: error },
      );
    }
    const options = {
      name: this.name,
      url,
      ...(this.#fetchImpl !== undefined && { fetchImpl: this.#fetchImpl }),
      ...(this.#timeoutMs !== undefined && { timeoutMs: this.#timeoutMs }),
    };
    try {
      if (this.kind === 'slack') return new SlackSink(options);
      if (this.kind === 'teams') return new TeamsSink(options);
      return new WebhookSink({ ...options, ...(signingSecret !== undefined && { secret: signingSecret }) });
    } catch (error) {
      if (!(error instanceof SinkConfigError)) throw error;
      throw new DeliveryError(`${error.message} (secret ${this.#secretArn})`, {
        sink: this.name,
        target: this.#secretArn,
        attempts: 1,
        retryable: false,
      });
    }
  }
}

/**
 * The sinks of the configured channels plus the deployment topic. Unusable channels are logged (once,
 * here) and left out. Built once per container: the secrets are read when a message is sent.
 */
export function buildSinks(
  channels: CloudBlameConfig['notifications']['channels'],
  wiring: ChannelWiring,
): RoutedSink[] {
  const out: RoutedSink[] = [];
  for (const channel of channels) {
    switch (channel.type) {
      case 'file':
        wiring.log.error('notification channel left out: file channels are not available in AWS Lambda', {
          channel: channel.name,
        });
        break;
      case 'sns':
        out.push({
          filter: channel,
          sink: new SnsSink({ client: wiring.sns, topicArn: channel.topicArn, name: channel.name }),
        });
        break;
      default:
        if ('env' in channel.url) {
          wiring.log.error(
            'notification channel left out: in AWS its URL must come from Secrets Manager ({ secretArn }), not an environment variable',
            { channel: channel.name, variable: channel.url.env },
          );
        } else {
          out.push({ filter: channel, sink: new SecretUrlSink(channel, channel.url.secretArn, wiring) });
        }
    }
  }
  const topicArn = wiring.topicArn;
  const topicConfigured = channels.some((c) => c.type === 'sns' && c.topicArn === topicArn);
  if (topicArn !== undefined && topicArn !== '' && !topicConfigured) {
    const taken = new Set(channels.map((c) => c.name));
    const name = taken.has('email') ? 'cloudblame-email' : 'email';
    out.push({
      filter: deploymentTopicFilter(name),
      sink: new SnsSink({ client: wiring.sns, topicArn, name }),
    });
  }
  return out;
}
