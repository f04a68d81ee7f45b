import type { ServeOptions } from 'customerio-simulator';
import type { Runtime } from './runtime.js';
import { simulatorMissing } from './missing-package.js';

export type SimulateOptions = ServeOptions;

/**
 * Runs the Customer.io simulator in the foreground until SIGINT/SIGTERM: the same function as the
 * simulator package's own program (customerio-simulator), with the tap's output streams. Loaded
 * here, not at the top: the published tap has no simulator (missing-package.ts).
 */
export async function simulateCommand(runtime: Runtime, options: SimulateOptions): Promise<number> {
  const { serveUntilSignal } = await import('customerio-simulator').catch(simulatorMissing);
  await serveUntilSignal(options, runtime.stdout, runtime.stderr);
  return 0;
}
