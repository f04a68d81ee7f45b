import type { Clock } from '../clock.js';

/**
 * One budget for every request of the process. Requests are spaced evenly (no bursts) a little
 * wider than 1/rps, because Customer.io counts arrivals in a 1 s window and network jitter can
 * squeeze two evenly sent requests together; 3% headroom absorbs ~30 ms of jitter at 10 rps.
 * Slots are reserved in call order, so waiting callers are served first come, first served.
 */
export class RateLimiter {
  readonly intervalMs: number;
  private nextSlot = 0;
  private pausedUntil = 0;

  constructor(
    readonly requestsPerSecond: number,
    private readonly clock: Clock,
    headroom = 0.03,
  ) {
    this.intervalMs = (1000 / requestsPerSecond) * (1 + headroom);
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const slot = Math.max(now, this.nextSlot, this.pausedUntil);
      this.nextSlot = slot + this.intervalMs;
      if (slot > now) await this.clock.sleep(slot - now, signal);
      // A 429 that arrived while we slept moves everybody behind the pause.
      if (this.pausedUntil <= this.clock.now()) return;
    }
  }

  /** The server said "too many": nobody sends before `untilMs`. */
  pause(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
    this.nextSlot = Math.max(this.nextSlot, untilMs);
  }

  get pausedUntilMs(): number {
    return this.pausedUntil;
  }
}
