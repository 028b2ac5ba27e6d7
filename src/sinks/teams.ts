import { checkWebhookUrl, type HttpSinkOptions, jsonOf, postJson } from './http.js';
import type { Sink, SinkPayload } from './port.js';

/**
 * A Microsoft Teams webhook (a Workflows "When a Teams webhook request is received" trigger, or a legacy
 * connector). The payload is the message with the Adaptive Card attachment the Teams renderer made.
 * Workflows answer 202 Accepted.
 */
export class TeamsSink implements Sink {
  public readonly kind = 'teams';
  public readonly name: string;
  readonly #options: HttpSinkOptions;

  public constructor(options: HttpSinkOptions) {
    this.name = options.name ?? 'teams';
    checkWebhookUrl(this.name, options.url);
    this.#options = options;
  }

  public async deliver(payload: SinkPayload, _key: string): Promise<void> {
    const { url, timeoutMs, fetchImpl } = this.#options;
    await postJson(url, jsonOf(payload, this.name), { sink: this.name, timeoutMs, fetchImpl });
  }
}
