import { parentPort, workerData } from 'node:worker_threads';
import { answerWith, type WorkerInit, type WorkerRequest } from './backend.js';
import { WorkspaceClock } from './clock.js';
import { commitObjectChanges } from './data/object-change-commit.js';
import { World } from './data/world.js';
import { errorReply, jsonReply } from './reply.js';
import { allRoutes } from './routes/all.js';
import { Router } from './routes/router.js';
import { SCALES } from './scale.js';

// The same seed, scale and origin describe the same workspace as the main thread's world.
const init = workerData as WorkerInit;
const clock = new WorkspaceClock(init.origin);
const world = new World(init.seed, { ...SCALES[init.scale], ...init.sizes }, clock);
const router = new Router(allRoutes());

parentPort?.on('message', (message: WorkerRequest) => {
  if ('call' in message) {
    parentPort?.postMessage({ id: message.id, reply: answerWith(router, world, clock, message.call) });
    return;
  }
  // Deletes and people changes between syncs, already resolved against the main thread's
  // identical world: this copy applies the same batch so the routes answer as the truth says.
  try {
    if ('objectChanges' in message) {
      commitObjectChanges(world, message.objectChanges);
      parentPort?.postMessage({ id: message.id, reply: jsonReply(200, { changes: message.objectChanges.changes.length }) });
      return;
    }
    if ('peopleChanges' in message) {
      world.people.changes.commit(message.peopleChanges, world.people.count);
      parentPort?.postMessage({ id: message.id, reply: jsonReply(200, { changes: message.peopleChanges.changes.length }) });
      return;
    }
    world.deletions.commit(message.deletions);
    parentPort?.postMessage({ id: message.id, reply: jsonReply(200, { deleted: message.deletions.length }) });
  } catch (e) {
    parentPort?.postMessage({ id: message.id, reply: errorReply(500, e instanceof Error ? e.message : String(e)) });
  }
});
