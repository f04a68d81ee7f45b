import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkspaceClock } from './clock.js';
import type { DeletedEntity } from './data/deletions.js';
import type { PeopleChangeBatch } from './data/people-changes.js';
import type { ObjectChangeBatch } from './data/object-changes.js';
import { errorStatusAsNumber } from './data/drift.js';
import type { World } from './data/world.js';
import { ApiError, errorReply, type Reply } from './reply.js';
import { Router } from './routes/router.js';
import { allRoutes } from './routes/all.js';
import type { Scale, ScaleSizes } from './scale.js';

/** What a route needs to answer one admitted request. */
export interface RouteCall {
  method: string;
  pathname: string;
  search: string;
  body: string;
  now: number;
}

/** Computes route answers: in this thread, or in a worker so the front (auth, rate limit) never waits on it. */
export interface Backend {
  answer(call: RouteCall): Promise<Reply>;
  /**
   * Brings a batch of deletes the main thread's world has resolved and applied to the world that
   * answers routes. Calls made after this one see it (a worker takes its messages in order);
   * the promise settles once it is applied.
   */
  applyDeletions(entities: readonly DeletedEntity[]): Promise<void>;
  /** The same for a batch of changes to people (data/people-changes.ts), resolved on the main thread. */
  applyPeopleChanges(batch: PeopleChangeBatch): Promise<void>;
  /** The same for a batch of changes to objects (data/object-changes.ts). */
  applyObjectChanges(batch: ObjectChangeBatch): Promise<void>;
  close(): Promise<void>;
}

/** What the main thread sends a route worker: a call to answer, or a batch of deletes or people changes to apply. */
export type WorkerRequest =
  | { id: number; call: RouteCall }
  | { id: number; deletions: DeletedEntity[] }
  | { id: number; peopleChanges: PeopleChangeBatch }
  | { id: number; objectChanges: ObjectChangeBatch };

/** Answers a call against a world whose clock is brought to the call's time first. */
export function answerWith(router: Router, world: World, clock: WorkspaceClock, call: RouteCall): Reply {
  if (call.now > clock.now()) clock.advance(call.now - clock.now());
  const match = router.match(call.method, call.pathname);
  if (!match || !match.methodAllowed) return errorReply(404, `The requested resource ${call.method} ${call.pathname} was not found`);
  try {
    return match.route.handle({ params: match.params, query: new URLSearchParams(call.search), body: call.body, world, now: call.now });
  } catch (e) {
    if (e instanceof ApiError) return errorReply(e.status, e.message, {}, errorStatusAsNumber(world.seed, call.pathname));
    // A simulator bug must be loud in tests, but still a well-formed answer on the wire.
    return errorReply(500, `simulator error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export class InlineBackend implements Backend {
  private readonly router = new Router(allRoutes());
  constructor(
    private readonly world: World,
    private readonly clock: WorkspaceClock,
  ) {}

  answer(call: RouteCall): Promise<Reply> {
    return Promise.resolve(answerWith(this.router, this.world, this.clock, call));
  }

  /** Nothing to do: routes answer from the main thread's world, which already holds the deletes. */
  applyDeletions(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to do: the main thread's world already holds the changes. */
  applyPeopleChanges(): Promise<void> {
    return Promise.resolve();
  }

  applyObjectChanges(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface WorkerInit {
  seed: number;
  scale: Scale;
  sizes: Partial<ScaleSizes>;
  origin: number;
}

/**
 * Routes run in a worker thread with its own copy of the (deterministic) world. A real API's
 * rate limiter sits at the edge and is not slowed by the backend: a metrics query that computes
 * for 300 ms must not make the next requests look as if they had arrived together.
 */
export class WorkerBackend implements Backend {
  private readonly worker: Worker;
  private next = 0;
  private readonly pending = new Map<number, (reply: Reply) => void>();

  constructor(file: string, init: WorkerInit) {
    this.worker = new Worker(file, { workerData: init });
    this.worker.unref();
    this.worker.on('message', (message: { id: number; reply: Reply }) => {
      this.pending.get(message.id)?.(message.reply);
      this.pending.delete(message.id);
    });
    this.worker.on('error', (error) => {
      for (const resolve of this.pending.values()) resolve(errorReply(500, `simulator error: ${error.message}`));
      this.pending.clear();
    });
  }

  answer(call: RouteCall): Promise<Reply> {
    return this.send((id) => ({ id, call }));
  }

  async applyDeletions(entities: readonly DeletedEntity[]): Promise<void> {
    const reply = await this.send((id) => ({ id, deletions: [...entities] }));
    if (reply.status !== 200) throw new Error(`the route worker did not apply the deletes: ${reply.body}`);
  }

  async applyPeopleChanges(batch: PeopleChangeBatch): Promise<void> {
    const reply = await this.send((id) => ({ id, peopleChanges: batch }));
    if (reply.status !== 200) throw new Error(`the route worker did not apply the people changes: ${reply.body}`);
  }

  async applyObjectChanges(batch: ObjectChangeBatch): Promise<void> {
    const reply = await this.send((id) => ({ id, objectChanges: batch }));
    if (reply.status !== 200) throw new Error(`the route worker did not apply the object changes: ${reply.body}`);
  }

  private send(request: (id: number) => WorkerRequest): Promise<Reply> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage(request(id));
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * The compiled worker entry. Tests run the simulator from TypeScript sources, where only the
 * build (dist/) has a loadable worker file; without one, routes run inline.
 */
export function workerFile(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const candidates = here.endsWith('.ts')
    ? [fileURLToPath(new URL('../dist/backend-worker.js', import.meta.url))]
    : [fileURLToPath(new URL('./backend-worker.js', import.meta.url))];
  return candidates.find((file) => existsSync(file));
}
