import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api } from './api.js';
import { WorkspaceClock } from './clock.js';
import { handleControl } from './control.js';
import { resolveDeletes } from './data/delete-batch.js';
import type { DeletedEntity } from './data/deletions.js';
import { resolvePeopleChanges } from './data/people-change-batch.js';
import { resolveObjectChanges, type ObjectChangeRequest } from './data/object-change-batch.js';
import { commitObjectChanges } from './data/object-change-commit.js';
import type { ObjectChangeBatch } from './data/object-changes.js';
import type { PeopleChangeBatch } from './data/people-changes.js';
import { World } from './data/world.js';
import { FaultPlan, HTML_PROXY_PAGE, WRONG_SHAPE_BODY } from './faults.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { errorsEnvelope, type Reply } from './reply.js';
import { allRoutes } from './routes/all.js';
import { Router } from './routes/router.js';
import { answerWith, InlineBackend, WorkerBackend, workerFile, type Backend } from './backend.js';
import { ExportJobs } from './data/export-jobs.js';
import { DownloadHost } from './download-host.js';
import { exportRoutes } from './routes/exports-jobs.js';
import { SCALES } from './scale.js';
import { settingsFrom, type Settings } from './settings.js';
import { StatsRecorder } from './stats.js';
import { groundTruth } from './truth/index.js';
import type { DownloadStats, FaultRule, Simulator, SimulatorOptions, SimulatorStats } from './types.js';
import type { PeopleChangeRequest } from './data/people-change-batch.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** How a computed reply reaches the wire: whole, or damaged by a fault. */
type Delivery = 'whole' | 'truncated' | 'reset-mid-body';

/**
 * One simulator instance: all state (clock, limiter, stats, faults, open sockets) lives here,
 * so several can run side by side in one test process.
 */
class SimulatorServer {
  readonly clock: WorkspaceClock;
  readonly world: World;
  readonly stats = new StatsRecorder();
  readonly faults: FaultPlan;
  readonly exportJobs: ExportJobs;
  readonly downloads: DownloadHost;
  private readonly router: Router;
  /** Routes with state (export jobs) answered on this thread, before the backend. */
  private readonly local: Router;
  private readonly api: Api;
  private readonly backend: Backend;
  private readonly server: http.Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly settings: Settings) {
    this.clock = new WorkspaceClock(settings.now);
    this.world = new World(settings.seed, { ...SCALES[settings.scale], ...settings.sizes }, this.clock);
    this.faults = new FaultPlan(settings.faults);
    this.router = new Router(allRoutes());
    this.exportJobs = new ExportJobs(this.world, {
      minSeconds: settings.exportJobMinSeconds,
      rowsPerSecond: settings.exportJobRowsPerSecond,
      failures: settings.exportFailures,
      gzip: settings.exportGzip,
    });
    this.downloads = new DownloadHost(this.world, this.exportJobs, settings.host, settings.exportUrlTtlSeconds);
    this.local = new Router(exportRoutes({ jobs: this.exportJobs, signedUrl: (file) => this.downloads.signedUrl(file) }));
    const file = settings.backend === 'worker' ? workerFile() : undefined;
    this.backend = file
      ? new WorkerBackend(file, { seed: settings.seed, scale: settings.scale, sizes: settings.sizes, origin: this.clock.origin })
      : new InlineBackend(this.world, this.clock);
    this.api = new Api(
      {
        apiKeys: new Set(settings.apiKeys),
        forbidden: settings.forbidden,
        retryAfter: settings.retryAfter,
        rateLimit: settings.rateLimit,
      },
      new SlidingWindowLimiter(settings.rateLimit),
      this.stats,
    );
    this.server = http.createServer({ keepAlive: true }, (req, res) => this.onRequest(req, res));
    // A 'hang' fault must really never answer: no server-side request timeout may step in.
    this.server.requestTimeout = 0;
  }

  async listen(): Promise<number> {
    await this.downloads.listen();
    return new Promise((resolve, reject) => {
      this.server.once('error', (error) => {
        void this.downloads.close();
        reject(error);
      });
      this.server.listen(this.settings.port, this.settings.host, () => {
        this.server.removeAllListeners('error');
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.closed = true;
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.exportJobs.close();
      const downloads = this.downloads.close();
      this.server.close(
        () =>
          void Promise.all([this.backend.close(), downloads]).then(
            () => resolve(),
            () => resolve(),
          ),
      );
      // Idle keep-alive sockets and hung requests alike: nothing may outlive close().
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.dispatch(req, res).catch((e: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      this.write(res, { status: 500, headers: {}, body: errorsEnvelope(500, `simulator error: ${String(e)}`) }, 'whole');
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    if (url.pathname.startsWith('/__sim/')) {
      return handleControl(
        {
          stats: this.stats,
          clock: this.clock,
          faults: this.faults,
          readBody,
          downloads: () => this.downloads.stats(),
          deleteEntities: (entities) => this.deleteEntities(entities),
          changePeople: (request) => this.changePeople(request),
          changeObjects: (request) => this.changeObjects(request),
        },
        req,
        res,
        url,
      );
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const match = this.router.match(method, url.pathname);
    this.stats.arrival(match?.route.pattern ?? 'unknown');

    const fault = this.faults.pick(method, url.pathname);
    let delivery: Delivery = 'whole';
    switch (fault?.kind) {
      case undefined:
        break;
      case 'reset':
        this.stats.answered('none');
        req.socket.destroy();
        return;
      case 'hang':
        // Left open on purpose; close() destroys it with every other connection.
        this.stats.answered('none');
        return;
      case 'status': {
        const status = fault.status ?? 500;
        const detail = `${http.STATUS_CODES[status] ?? 'Error'} (simulated fault)`;
        return this.reply(res, { status, headers: fault.headers ?? {}, body: fault.body ?? errorsEnvelope(status, detail) }, 'whole');
      }
      case 'html':
        return this.reply(
          res,
          { status: fault.status ?? 200, headers: { 'content-type': 'text/html', ...fault.headers }, body: fault.body ?? HTML_PROXY_PAGE },
          'whole',
        );
      case 'wrong-shape':
        return this.reply(res, { status: fault.status ?? 200, headers: fault.headers ?? {}, body: fault.body ?? WRONG_SHAPE_BODY }, 'whole');
      case 'delay':
        await this.sleep(fault.delayMs ?? 1000);
        break;
      case 'truncated':
      case 'reset-mid-body':
        delivery = fault.kind;
        break;
    }
    if (this.closed) return;

    let body = '';
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        body = await readBody(req);
      } catch (e) {
        if (!(e instanceof BodyTooLarge)) throw e;
        return this.reply(res, { status: 413, headers: {}, body: errorsEnvelope(413, 'Request body too large') }, 'whole');
      }
    }
    const rejected = this.api.admit({ method, url, authorization: req.headers.authorization, body, match });
    const call = { method, pathname: url.pathname, search: url.search, body, now: this.clock.now() };
    const reply =
      rejected ??
      (this.local.match(method, url.pathname)?.methodAllowed ? answerWith(this.local, this.world, this.clock, call) : await this.backend.answer(call));
    return this.reply(res, reply, delivery);
  }

  private async reply(res: ServerResponse, reply: Reply, delivery: Delivery): Promise<void> {
    if (this.settings.latencyMs > 0) await this.sleep(this.settings.latencyMs);
    if (this.closed || res.destroyed) return;
    this.write(res, reply, delivery);
  }

  private write(res: ServerResponse, reply: Reply, delivery: Delivery): void {
    const full = Buffer.from(reply.body, 'utf8');
    // The server's clock is the workspace clock: clients that bucket by "now" read it here.
    const headers: Record<string, string> = { 'content-type': 'application/json', date: new Date(this.clock.now() * 1000).toUTCString() };
    for (const [name, value] of Object.entries(reply.headers)) headers[name.toLowerCase()] = value;
    this.stats.answered(reply.status);
    if (delivery === 'reset-mid-body') {
      // Promise the whole body, deliver half, then cut the connection.
      headers['content-length'] = String(full.length);
      res.writeHead(reply.status, headers);
      res.write(full.subarray(0, Math.max(1, Math.floor(full.length / 2))), () => res.destroy());
      return;
    }
    // 'truncated': an honest Content-Length for a body that is itself cut mid-JSON.
    const payload = delivery === 'truncated' ? full.subarray(0, Math.floor(full.length / 2)) : full;
    headers['content-length'] = String(payload.length);
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  snapshot(): SimulatorStats {
    return this.stats.snapshot();
  }

  /**
   * Deletes entities between syncs: resolves the batch against what the API serves now (throws,
   * changing nothing, for an unknown kind or id or one already gone), applies it to this
   * thread's world (truth, export jobs) and sends it to the route backend, which takes it before
   * any later call. `applied` settles once the backend holds it too.
   */
  deleteEntities(requested: unknown): { deleted: DeletedEntity[]; applied: Promise<void> } {
    const deleted = resolveDeletes(this.world, requested);
    this.world.deletions.commit(deleted);
    return { deleted, applied: this.backend.applyDeletions(deleted) };
  }

  /**
   * Changes people between syncs: resolves the batch at the current clock (throws, changing
   * nothing, for a bad request), applies it to this thread's world and sends the same resolved
   * batch to the route backend, which takes it before any later call.
   */
  changePeople(request: unknown): { batch: PeopleChangeBatch; applied: Promise<void> } {
    const batch = resolvePeopleChanges(this.world, request);
    this.world.people.changes.commit(batch, this.world.people.count);
    return { batch, applied: this.backend.applyPeopleChanges(batch) };
  }

  /** Changes objects between syncs, as changePeople does people (data/object-change-batch.ts). */
  changeObjects(request: unknown): { batch: ObjectChangeBatch; applied: Promise<void> } {
    const batch = resolveObjectChanges(this.world, request);
    commitObjectChanges(this.world, batch);
    return { batch, applied: this.backend.applyObjectChanges(batch) };
  }
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const settings = settingsFrom(opts);
  const instance = new SimulatorServer(settings);
  const port = await instance.listen();
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    url: `http://${host}:${port}`,
    port,
    stats: () => instance.snapshot(),
    resetStats: () => instance.stats.reset(),
    now: () => instance.clock.now(),
    advance: (seconds: number) => instance.clock.advance(seconds),
    setFaults: (rules: FaultRule[]) => instance.faults.set(rules),
    deleteEntities: (entities: DeletedEntity[]) => {
      // The route worker takes the batch before any request made after this returns; a failure
      // there would be a simulator bug, so it is loud rather than silently ignored.
      instance.deleteEntities(entities).applied.catch((e: unknown) => {
        process.stderr.write(`simulator: ${e instanceof Error ? e.message : String(e)}\n`);
      });
    },
    changePeople: (request?: PeopleChangeRequest) => {
      const done = instance.changePeople(request);
      // As for deletes: the worker takes the batch before any later request; a failure is a bug.
      done.applied.catch((e: unknown) => {
        process.stderr.write(`simulator: ${e instanceof Error ? e.message : String(e)}\n`);
      });
      return structuredClone(done.batch);
    },
    changeObjects: (request?: ObjectChangeRequest) => {
      const done = instance.changeObjects(request);
      done.applied.catch((e: unknown) => {
        process.stderr.write(`simulator: ${e instanceof Error ? e.message : String(e)}\n`);
      });
      return structuredClone(done.batch);
    },
    truth: groundTruth(instance.world, instance.exportJobs),
    downloadUrl: instance.downloads.origin(),
    downloadStats: (): DownloadStats => instance.downloads.stats(),
    close: () => instance.close(),
  };
}
