import { createServer, request as httpRequest, type Server } from 'node:http';
import { listenLoopback, type Recorded } from './recording-proxy.js';

/** What the proxy does to the export file on its way to the tap. */
export type FileDamage =
  | { kind: 'replace'; from: string; to: string }
  | { kind: 'truncate'; bytes: number }
  | { kind: 'reset-once'; bytes: number }
  | { kind: 'redirect'; location: string };

export interface FileProxy {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * A storage host stand-in in front of the simulator's download host: the same path and query
 * (so the signature still holds), with the file damaged the way `damage` says. The API proxy
 * points the download links here.
 */
export async function fileProxy(target: string, damage: FileDamage): Promise<FileProxy> {
  const requests: Recorded[] = [];
  let resets = 0;
  const server: Server = createServer((req, res) => {
    const recorded: Recorded = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', target), headers: req.headers };
    requests.push(recorded);
    if (damage.kind === 'redirect') {
      res.writeHead(302, { location: damage.location });
      res.end();
      return;
    }
    const upstream = httpRequest(recorded.url, { method: 'GET', headers: req.headers }, (answer) => {
      const headers = { ...answer.headers };
      res.writeHead(answer.statusCode ?? 502, headers);
      if (answer.statusCode !== 200) return void answer.pipe(res);
      let sent = 0;
      const cut = damage.kind === 'truncate' || (damage.kind === 'reset-once' && resets === 0) ? damage.bytes : Infinity;
      answer.on('data', (chunk: Buffer) => {
        let out = chunk;
        if (damage.kind === 'replace') out = Buffer.from(chunk.toString('latin1').split(damage.from).join(damage.to), 'latin1');
        if (sent + out.length >= cut) {
          answer.destroy();
          if (damage.kind === 'reset-once') {
            resets++;
            // Reset once the bytes before the cut are on the wire, so the tap sees a file that breaks off.
            res.write(out.subarray(0, cut - sent), () => setTimeout(() => res.socket?.destroy(), 20));
          } else res.end(out.subarray(0, cut - sent));
          sent = cut;
          return;
        }
        sent += out.length;
        res.write(out);
      });
      answer.on('end', () => res.end());
    });
    upstream.on('error', () => res.destroy());
    upstream.end();
  });
  return { ...(await listenLoopback(server)), requests };
}
