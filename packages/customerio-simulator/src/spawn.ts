/**
 * The light entry, `customerio-simulator/spawn`: what starts the simulator in a child process and
 * talks to it (the tap's `demo`), without loading the server, its data generators or routes into
 * the caller's process.
 */
export { spawnSimulator, type SimulatorProcess } from './process.js';
export { DEMO_API_KEY } from './settings.js';
export type { Scale } from './scale.js';
