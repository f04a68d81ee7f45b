import type { ExportJobs } from '../data/export-jobs.js';
import type { World } from '../data/world.js';

/** What every family of the truth reads: the generated world, the export jobs run, the clock. */
export interface TruthContext {
  world: World;
  exportJobs?: ExportJobs | undefined;
  /** The workspace clock, unix seconds, read at each call. */
  now(): number;
}
