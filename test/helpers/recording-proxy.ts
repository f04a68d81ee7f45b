import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
}

export interface RecordingProxy {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Holds the upstream answer this long before passing it on (ms; 0 or undefined: at once). */
  holdMs?: (request: Recorded) => number | undefined;
  /** Rewrites a JSON answer (the body is buffered for the requests this returns true for). */
  rewriteJson?: { when: (request: Recorded) => boolean; rewrite: (body: Record<string, unknown>) => Record<string, unknown> };
}

/**
 * A loopback HTTP proxy in front of `target` that records each request's method, URL and
 * headers: what the tap asks is observed from outside, as the API would see it. Optionally it
 * holds answers back (a link that expires on the way) or rewrites JSON answers.
 */
export async function recordingProxy(target: string, options: ProxyOptions = {}): Promise<RecordingProxy> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const recorded: Recorded = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', target), headers: req.headers };
    requests.push(recorded);
    const upstream = httpRequest(recorded.url, { method: req.method, headers: req.headers }, (answer) => {
      const pass = (): void => {
        if (options.rewriteJson?.when(recorded)) {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body = text;
            try {
              body = JSON.stringify(options.rewriteJson?.rewrite(JSON.parse(text) as Record<string, unknown>));
            } catch {
              // not JSON: passed on as it came
            }
            const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
            delete headers['transfer-encoding'];
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(body);
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      };
      const hold = options.holdMs?.(recorded) ?? 0;
      if (hold > 0) setTimeout(pass, hold);
      else pass();
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return { ...(await listenLoopback(server)), requests };
}

/** Listens on a loopback port; `close` drops open connections too. */
export async function listenLoopback(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
