import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WorkspaceClock } from './clock.js';
import type { DeletedEntity } from './data/deletions.js';
import type { PeopleChangeBatch } from './data/people-changes.js';
import type { ObjectChangeBatch } from './data/object-changes.js';
import type { FaultPlan } from './faults.js';
import { errorsEnvelope } from './reply.js';
import type { StatsRecorder } from './stats.js';
import type { DownloadStats } from './types.js';

/**
 * Control endpoints under /__sim/, for a simulator running in another process (benchmarks,
 * `tap-customerio simulate`). No auth, never rate limited, never counted in stats. Errors use the
 * API's errors envelope.
 *
 * - `GET /__sim/stats` → SimulatorStats; `POST /__sim/reset-stats` → `{ok: true}`.
 * - `GET /__sim/downloads` → DownloadStats of the export download host.
 * - `POST /__sim/advance?seconds=N` → `{now}`: the workspace clock moves on (Simulator.advance).
 * - `PUT /__sim/faults` with a JSON array of FaultRule → `{ok: true, rules: n}` (replaces them).
 * - `POST /__sim/delete` with `{"entities": [{"kind": "campaign", "id": 12}, …]}` →
 *   `{"deleted": n}`: deletes between syncs (Simulator.deleteEntities), `n` counting the children
 *   a parent took with it. Each entity is `{kind, id, parent?}` (kinds and parents in
 *   data/deletions.ts). The whole batch or nothing: a malformed body, an unknown kind, an unknown
 *   id or one already deleted is a 400 naming it. The 200 goes out once the routes answer
 *   without them.
 * - `POST /__sim/change-people` with `{"counts": {"attribute_change": 3, …}, "seed": 7}` (both
 *   optional; an empty body is the default mix), or the same as query parameters
 *   (`?attribute_change=3&profile_delete=1&seed=7`) → the batch as applied, `{batch, at,
 *   changes: [...]}` (Simulator.changePeople, data/people-change-batch.ts). A malformed request,
 *   an unknown kind, or more people than the workspace has is a 400 and changes nothing. The 200
 *   goes out once the routes answer with the changes.
 * - `POST /__sim/change-objects`, the same for objects and their relationships with people
 *   (`{"counts": {"create": 2, "add_relationship": 1, …}, "seed": 7}` or
 *   `?create=2&add_relationship=1&seed=7`) → `{batch, at, changes: [...]}`
 *   (Simulator.changeObjects, data/object-change-batch.ts).
 */
export interface ControlDeps {
  stats: StatsRecorder;
  clock: WorkspaceClock;
  faults: FaultPlan;
  readBody: (req: IncomingMessage) => Promise<string>;
  /** The export download host's counters. */
  downloads?: () => DownloadStats;
  /** Resolves and applies a batch of deletes (throws for a bad one); `applied` settles once routes see it. */
  deleteEntities?: (entities: unknown) => { deleted: DeletedEntity[]; applied: Promise<void> };
  /** Resolves and applies a batch of changes to people (throws for a bad one); `applied` as above. */
  changePeople?: (request: unknown) => { batch: PeopleChangeBatch; applied: Promise<void> };
  /** The same for a batch of changes to objects. */
  changeObjects?: (request: unknown) => { batch: ObjectChangeBatch; applied: Promise<void> };
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
    case 'POST /__sim/delete': {
      if (!deps.deleteEntities) return sendError(res, 404, 'deletes are not available here');
      let body: unknown;
      try {
        body = JSON.parse(await deps.readBody(req));
      } catch {
        return sendError(res, 400, DELETE_BODY);
      }
      const entities = (body as { entities?: unknown } | null)?.entities;
      if (typeof body !== 'object' || Array.isArray(body) || !Array.isArray(entities)) return sendError(res, 400, DELETE_BODY);
      let done;
      try {
        done = deps.deleteEntities(entities);
      } catch (e) {
        return sendError(res, 400, e instanceof Error ? e.message : String(e));
      }
      try {
        await done.applied;
      } catch (e) {
        return sendError(res, 500, e instanceof Error ? e.message : String(e));
      }
      return send(res, 200, { deleted: done.deleted.length });
    }
    case 'POST /__sim/change-people':
    case 'POST /__sim/change-objects': {
      const change = route.endsWith('people') ? deps.changePeople : deps.changeObjects;
      if (!change) return sendError(res, 404, `${route.endsWith('people') ? 'people' : 'object'} changes are not available here`);
      const parsed = changeRequest(await deps.readBody(req), url.searchParams);
      if ('error' in parsed) return sendError(res, 400, parsed.error);
      let done;
      try {
        done = change(parsed.request);
      } catch (e) {
        return sendError(res, 400, e instanceof Error ? e.message : String(e));
      }
      try {
        await done.applied;
      } catch (e) {
        return sendError(res, 500, e instanceof Error ? e.message : String(e));
      }
      return send(res, 200, done.batch);
    }
    default:
      return sendError(res, 404, `no control endpoint ${route}`);
  }
}

const DELETE_BODY = 'the body must be JSON: {"entities": [{"kind", "id", "parent"?}, …]}';

/**
 * The request of POST /__sim/change-people: the JSON body when there is one, else the query
 * (`seed`, and every other parameter a count); the resolver checks names and values.
 */
function changeRequest(body: string, query: URLSearchParams): { request: unknown } | { error: string } {
  if (body.trim() !== '') {
    try {
      return { request: JSON.parse(body) as unknown };
    } catch {
      return { error: 'the body must be JSON: {"counts"?: {"<kind>": n, …}, "seed"?: n}' };
    }
  }
  if ([...query.keys()].length === 0) return { request: undefined };
  const counts: Record<string, number> = {};
  let seed: number | undefined;
  for (const [key, raw] of query) {
    if (!/^[0-9]+$/.test(raw)) return { error: `${key} must be a non-negative integer` };
    if (key === 'seed') seed = Number(raw);
    else counts[key] = Number(raw);
  }
  const request: { counts?: Record<string, number>; seed?: number } = {};
  if (Object.keys(counts).length > 0) request.counts = counts;
  if (seed !== undefined) request.seed = seed;
  return { request };
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
