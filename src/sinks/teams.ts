import { HttpStatusError } from './errors.js';
import { checkWebhookUrl, type HttpSinkOptions, jsonOf, postJson } from './http.js';
import type { Sink, SinkPayload } from './port.js';

/**
 * A Microsoft Teams webhook (a Workflows "When a Teams webhook request is received" trigger, or a legacy
 * Office 365 connector). The payload is the message with the Adaptive Card attachment the Teams renderer
 * made. Workflows answer 202 Accepted. Legacy connectors answer 200 whatever happened: the message went
 * out only when the body is a number (the messages sent, `1`); otherwise the body says what Teams
 * refused ("Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413
 * ..."), and that inner status decides whether a retry can help.
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
    const response = await postJson(url, jsonOf(payload, this.name), {
      sink: this.name,
      timeoutMs,
      fetchImpl,
    });
    const refusal = connectorRefusal(response.status, response.body);
    if (refusal === undefined) return;
    throw new HttpStatusError(
      `Teams accepted the request but did not deliver the message (HTTP 200: ${refusal.text})`,
      { sink: this.name, status: refusal.status ?? 200, attempts: 1, retryable: refusal.retryable },
    );
  }
}

/** What a legacy connector's "200 OK" body says went wrong, or undefined when the message went out. */
export function connectorRefusal(
  status: number,
  body: string,
): { readonly text: string; readonly status?: number; readonly retryable: boolean } | undefined {
  const text = body.trim();
  if (status !== 200 || text === '' || /^\d+$/.test(text)) return undefined;
  const inner = /HTTP error (\d{3})/.exec(text)?.[1];
  const innerStatus = inner === undefined ? undefined : Number(inner);
  return {
    text: text.length > 300 ? `${text.slice(0, 299)}…` : text,
    ...(innerStatus !== undefined && { status: innerStatus }),
    retryable: innerStatus !== undefined && (innerStatus === 429 || innerStatus >= 500),
  };
}
