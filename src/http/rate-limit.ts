import type { Clock } from '../clock.js';

/**
 * One budget for every request of the process. Customer.io counts arrivals in a 1 s window, so
 * requests leave evenly spaced (no bursts), a little wider than 1/rps: 4.5% headroom absorbs
 * 45 ms of jitter between departure and arrival at 10 rps (measured on a loaded two-core machine:
 * departures stay within 1 ms of schedule, arrivals at a busy server drift by 30 ms and more). The spacing is measured between actual departures: a caller that
 * wakes late (a busy event loop) pushes the next one back instead of letting two leave together.
 * Callers are served first come, first served.
 */
export class RateLimiter {
  readonly intervalMs: number;
  private lastDeparture = Number.NEGATIVE_INFINITY;
  private pausedUntil = 0;
  private readonly queue: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private pumping = false;

  constructor(
    readonly requestsPerSecond: number,
    private readonly clock: Clock,
    headroom = 0.045,
  ) {
    this.intervalMs = (1000 / requestsPerSecond) * (1 + headroom);
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.queue.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) {
            this.queue.splice(index, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
      void this.pump();
    });
  }

  /** The server said "too many": nobody leaves before `untilMs`. */
  pause(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        const at = Math.max(this.lastDeparture + this.intervalMs, this.pausedUntil);
        if (at > now) {
          await this.clock.sleep(at - now);
          continue; // a pause may have arrived while sleeping
        }
        const waiter = this.queue.shift();
        if (!waiter) break;
        this.lastDeparture = this.clock.now();
        waiter.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}
