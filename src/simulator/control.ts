import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WorkspaceClock } from './clock.js';
import type { FaultPlan } from './faults.js';
import { errorsEnvelope } from './reply.js';
import type { StatsRecorder } from './stats.js';
import type { DownloadStats } from './types.js';

/**
 * Control endpoints under /__sim/, for a simulator running in another process (benchmarks,
 * `tap-customerio simulate`). No auth, never rate limited, never counted in stats.
 */
export interface ControlDeps {
  stats: StatsRecorder;
  clock: WorkspaceClock;
  faults: FaultPlan;
  readBody: (req: IncomingMessage) => Promise<string>;
  /** The export download host's counters. */
  downloads?: () => DownloadStats;
}

export async function handleControl(deps: ControlDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const route = `${method} ${url.pathname.replace(/\/$/, '')}`;
  switch (route) {
    case 'GET /__sim/stats':
      return send(res, 200, deps.stats.snapshot());
    case 'GET /__sim/downloads':
      return deps.downloads ? send(res, 200, deps.downloads()) : sendError(res, 404, 'no download host');
    case 'POST /__sim/reset-stats':
      deps.stats.reset();
      return send(res, 200, { ok: true });
    case 'POST /__sim/advance': {
      const raw = url.searchParams.get('seconds') ?? '';
      if (!/^[0-9]+$/.test(raw)) return sendError(res, 400, 'seconds must be a non-negative integer');
      deps.clock.advance(Number(raw));
      return send(res, 200, { now: deps.clock.now() });
    }
    case 'PUT /__sim/faults': {
      let rules: unknown;
      try {
        rules = JSON.parse(await deps.readBody(req));
      } catch {
        return sendError(res, 400, 'the body must be a JSON array of fault rules');
      }
      try {
        deps.faults.set(rules as never);
      } catch (e) {
        return sendError(res, 400, e instanceof Error ? e.message : String(e));
      }
      return send(res, 200, { ok: true, rules: Array.isArray(rules) ? rules.length : 0 });
    }
    default:
      return sendError(res, 404, `no control endpoint ${route}`);
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, detail: string): void {
  const body = errorsEnvelope(status, detail);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}
