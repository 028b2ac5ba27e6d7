import { InputError } from '../errors.js';
import { locate } from './issues.js';
import { isJsonObject, parseJson, preview, quoteId, stringField } from './shape.js';

export function isSnsNotification(doc: unknown): boolean {
  return isJsonObject(doc) && doc['Type'] === 'Notification' && 'Message' in doc && 'TopicArn' in doc;
}

export type SnsUnwrap =
  | { readonly ok: true; readonly message: unknown; readonly source: string }
  | { readonly ok: false; readonly error: InputError };

/**
 * The JSON inside an SNS notification's `Message`, with a source that names the SNS message so an
 * error about its content can be traced to it. `record` is the notification's index in its document.
 */
export function unwrapSns(doc: unknown, source: string, record?: number): SnsUnwrap {
  if (!isJsonObject(doc))
    return { ok: false, error: new InputError('not an SNS notification', locate(source, record)) };
  const id = stringField(doc, 'MessageId');
  const messageId = id === undefined ? 'without MessageId' : quoteId(id);
  const where = `${source} (SNS message ${messageId})`;
  const message = doc['Message'];
  if (typeof message !== 'string') {
    const problem = message === undefined ? 'missing' : `expected a JSON string, got ${preview(message)}`;
    return { ok: false, error: new InputError(problem, { ...locate(where, record), field: 'Message' }) };
  }
  const parsed = parseJson(message);
  if (!parsed.ok) {
    return {
      ok: false,
      error: new InputError(`not valid JSON: ${parsed.reason}`, {
        ...locate(where, record),
        field: 'Message',
      }),
    };
  }
  return { ok: true, message: parsed.value, source: where };
}
