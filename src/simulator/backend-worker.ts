import { parentPort, workerData } from 'node:worker_threads';
import { answerWith, type RouteCall, type WorkerInit } from './backend.js';
import { WorkspaceClock } from './clock.js';
import { World } from './data/world.js';
import { allRoutes } from './routes/all.js';
import { Router } from './routes/router.js';
import { SCALES } from './scale.js';

// The same seed, scale and origin describe the same workspace as the main thread's world.
const init = workerData as WorkerInit;
const clock = new WorkspaceClock(init.origin);
const world = new World(init.seed, { ...SCALES[init.scale], ...init.sizes }, clock);
const router = new Router(allRoutes());

parentPort?.on('message', (message: { id: number; call: RouteCall }) => {
  parentPort?.postMessage({ id: message.id, reply: answerWith(router, world, clock, message.call) });
});
