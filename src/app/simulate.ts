import { serveUntilSignal, type ServeOptions } from '../simulator/serve.js';
import type { Runtime } from './runtime.js';

export type SimulateOptions = ServeOptions;

/**
 * Runs the Customer.io simulator in the foreground until SIGINT/SIGTERM: the same function as the
 * simulator's own entry file (dist/simulator/bin.js), with the tap's output streams.
 */
export async function simulateCommand(runtime: Runtime, options: SimulateOptions): Promise<number> {
  await serveUntilSignal(options, runtime.stdout, runtime.stderr);
  return 0;
}
