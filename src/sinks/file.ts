import { appendFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { FileSinkError } from './errors.js';
import { serialiseJson } from './http.js';
import type { Sink, SinkPayload } from './port.js';

/**
 * One JSON line per delivery, appended to a file or written to a stream (stdout). A JSON payload is
 * written as it is; a text payload as `{"subject": ..., "text": ...}`.
 */

export type FileSinkOptions =
  | { readonly name?: string; readonly path: string }
  | { readonly name?: string; readonly stream: Writable };

/** Errors worth another attempt; the others (EACCES, ENOENT, EISDIR, ...) will not go away by waiting. */
const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR']);

export function jsonLine(payload: SinkPayload, sink: string): string {
  const value = payload.type === 'json' ? payload.json : { subject: payload.subject, text: payload.text };
  return `${serialiseJson(value, sink)}\n`;
}

export class FileSink implements Sink {
  public readonly kind = 'file';
  public readonly name: string;
  readonly #options: FileSinkOptions;
  /** A stream's 'error' event, kept so that the next delivery fails with it instead of the process. */
  #streamError: Error | undefined;

  public constructor(options: FileSinkOptions) {
    this.name = options.name ?? ('path' in options ? 'file' : 'stdout');
    this.#options = options;
    if ('stream' in options) {
      options.stream.on('error', (error: Error) => {
        this.#streamError = error;
      });
    }
  }

  public async deliver(payload: SinkPayload, _key: string): Promise<void> {
    const line = jsonLine(payload, this.name);
    const options = this.#options;
    const target = 'path' in options ? options.path : 'stream';
    try {
      if ('path' in options) await appendFile(options.path, line, 'utf8');
      else await writeTo(options.stream, line, this.#streamError);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const reason = error instanceof Error ? error.message : String(error);
      throw new FileSinkError(
        `could not write to ${target}: ${reason}`,
        { sink: this.name, target, attempts: 1, retryable: typeof code === 'string' && TRANSIENT.has(code) },
        { cause: error },
      );
    }
  }
}

/** Resolves once the stream has handled the line (written it out or buffered it for the OS). */
function writeTo(stream: Writable, line: string, failed: Error | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (failed !== undefined) reject(failed);
    else if (stream.destroyed || stream.writableEnded) reject(new Error('the stream is closed'));
    else stream.write(line, 'utf8', (error) => (error ? reject(error) : resolve()));
  });
}
