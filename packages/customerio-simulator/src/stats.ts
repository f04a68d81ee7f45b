import { WindowLog } from './rate-limit.js';
import type { SimulatorStats } from './types.js';

/** Counters for one server instance; control endpoints never reach it. */
export class StatsRecorder {
  private data: SimulatorStats = emptyStats();
  // Its own log, so resetStats() also restarts maxInWindow without touching the rate limiter.
  private accepted = new WindowLog(1000);

  arrival(route: string): void {
    const at = Date.now();
    this.data.requests++;
    this.data.byPath[route] = (this.data.byPath[route] ?? 0) + 1;
    this.data.firstAt ??= at;
    this.data.lastAt = at;
  }

  /** A request that passed the rate limiter, at monotonic time `nowMs`. */
  acceptedAt(nowMs: number): void {
    this.accepted.push(nowMs);
    this.data.maxInWindow = Math.max(this.data.maxInWindow, this.accepted.countAt(nowMs));
  }

  /** The status line sent, or 'none' when the connection was reset or left hanging. */
  answered(status: number | 'none'): void {
    const key = String(status);
    this.data.byStatus[key] = (this.data.byStatus[key] ?? 0) + 1;
    if (status === 429) this.data.rateLimited++;
  }

  snapshot(): SimulatorStats {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = emptyStats();
    this.accepted = new WindowLog(1000);
  }
}

function emptyStats(): SimulatorStats {
  return { requests: 0, byStatus: {}, rateLimited: 0, byPath: {}, firstAt: null, lastAt: null, maxInWindow: 0 };
}
