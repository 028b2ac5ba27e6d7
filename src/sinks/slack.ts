import { checkWebhookUrl, type HttpSinkOptions, jsonOf, postJson } from './http.js';
import type { Sink, SinkPayload } from './port.js';

/**
 * A Slack incoming webhook. The payload is the Block Kit message the Slack renderer made. Slack answers
 * 200 `ok`, 429 with `Retry-After` when rate limited, and 4xx with a reason (`invalid_payload`,
 * `no_service`, `channel_is_archived`) that is final.
 */
export class SlackSink implements Sink {
  public readonly kind = 'slack';
  public readonly name: string;
  readonly #options: HttpSinkOptions;

  public constructor(options: HttpSinkOptions) {
    this.name = options.name ?? 'slack';
    checkWebhookUrl(this.name, options.url);
    this.#options = options;
  }

  public async deliver(payload: SinkPayload, _key: string): Promise<void> {
    const { url, timeoutMs, fetchImpl } = this.#options;
    await postJson(url, jsonOf(payload, this.name), { sink: this.name, timeoutMs, fetchImpl });
  }
}
