import type { SyncContext } from './context.js';

/**
 * When a long read owes a STATE: after `ctx.checkpoints.records` records or
 * `ctx.checkpoints.seconds` seconds since the last one, whichever comes first. Every reader that
 * can resume in the middle of a read asks this one clock, so the cadence is the same everywhere.
 */
export class CheckpointDue {
  private records = 0;
  private since: number;

  constructor(private readonly ctx: Pick<SyncContext, 'clock' | 'checkpoints'>) {
    this.since = ctx.clock.now();
  }

  /** Records that went out since the last STATE. */
  get pending(): number {
    return this.records;
  }

  /** Counts records that went out; true when a STATE is due now. */
  add(records: number): boolean {
    this.records += records;
    return this.due;
  }

  get due(): boolean {
    return this.records >= this.ctx.checkpoints.records || this.ctx.clock.now() - this.since >= this.ctx.checkpoints.seconds * 1000;
  }

  /** A STATE went out (or was found to say nothing new): the count starts again. */
  written(): void {
    this.records = 0;
    this.since = this.ctx.clock.now();
  }
}
