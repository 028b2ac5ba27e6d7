import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Scripted =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  /** Never answer (the client's timeout fires). */
  | { readonly hang: true }
  /** Drop the connection without an answer. */
  | { readonly reset: true };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (an ephemeral port) answering request n with `script[n]`. Requests past
 * the end of the script get a 599, so a runaway retry loop shows up as a failure, and at most
 * `maxRequests` (default 50) are served at all.
 */
export async function startScriptedServer(
  script: readonly Scripted[],
  options: { readonly maxRequests?: number } = {},
): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const maxRequests = options.maxRequests ?? 50;
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = requests.length;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (index >= maxRequests) {
        req.socket.destroy();
        return;
      }
      const step = script[index] ?? { status: 599, body: 'unscripted request' };
      if ('hang' in step) {
        hanging.add(res);
        return;
      }
      if ('reset' in step) {
        req.socket.destroy();
        return;
      }
      res.writeHead(step.status, { 'content-type': 'text/plain', ...step.headers });
      res.end(step.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
