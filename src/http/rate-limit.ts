import type { Clock } from '../clock.js';

/** One request's place in the window: when it left, corrected to when it was really sent. */
export interface Departure {
  at: number;
}

/** Extra room left after each 429: the network between us and the server is noisier than assumed. */
const WIDEN_STEP = 0.015;
const MAX_HEADROOM = 0.15;

/**
 * One budget for every request of the process. Customer.io counts arrivals in any 1 s window,
 * so the rule kept here is the server's own, with a margin: the N-th last departure (N = the
 * requests allowed per second) must lie a whole window plus `headroom` back. The margin absorbs
 * the jitter between departure and arrival (measured on a loaded two-core machine during full
 * reads: 99% within 6 ms, the worst 20 ms; 3.5% of a second leaves 35 ms). A departure is the
 * moment the request reaches the socket, when the client reports it (`sentAt`): a busy event
 * loop can hold a request 40 ms after its slot, and the server counts it then.
 * Requests leave on an even grid, and a caller that wakes late does not push the grid back: the
 * next one catches up, by at most a quarter interval, so late wake-ups cost no budget and still
 * no two requests bunch. Each 429 widens the margin a little. Callers are served first come,
 * first served.
 */
export class RateLimiter {
  private readonly perWindow: number;
  private readonly departures: Departure[] = []; // the last `perWindow` departures, oldest first
  private scheduled = Number.NEGATIVE_INFINITY; // the grid slot of the last departure
  private pausedUntil = 0;
  private readonly queue: Array<{ resolve: (departure: Departure) => void; reject: (error: unknown) => void }> = [];
  private pumping = false;

  constructor(
    readonly requestsPerSecond: number,
    private readonly clock: Clock,
    private headroom = 0.035,
  ) {
    this.perWindow = Math.max(1, Math.floor(requestsPerSecond));
  }

  /** The even spacing the limit allows, margin included. */
  get intervalMs(): number {
    return (1000 / this.requestsPerSecond) * (1 + this.headroom);
  }

  /** Waits for a slot; the departure may be moved later with `sentAt`. */
  acquire(signal?: AbortSignal): Promise<Departure> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Departure>((resolve, reject) => {
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

  /** The request of `departure` reached the socket at `atMs`: the window counts from then. */
  sentAt(departure: Departure, atMs: number): void {
    departure.at = Math.max(departure.at, atMs);
  }

  /** The server said "too many": nobody leaves before `untilMs`, and later requests keep more room. */
  pause(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
    this.headroom = Math.min(MAX_HEADROOM, this.headroom + WIDEN_STEP);
  }

  /** When the next request may leave: the next grid slot, a full window after the N-th last departure. */
  private nextAt(): number {
    const interval = this.intervalMs;
    const oldest = this.departures.length >= this.perWindow ? (this.departures[0] as Departure).at : Number.NEGATIVE_INFINITY;
    return Math.max(this.scheduled + interval, oldest + this.perWindow * interval, this.pausedUntil);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        const at = this.nextAt();
        if (at > now) {
          await this.clock.sleep(at - now);
          continue; // a pause may have arrived while sleeping
        }
        const waiter = this.queue.shift();
        if (!waiter) break;
        const departed = this.clock.now();
        // After an idle spell the grid restarts here instead of letting a queue leave at once.
        this.scheduled = Math.max(at, departed - this.intervalMs / 4);
        const departure = { at: departed };
        this.departures.push(departure);
        if (this.departures.length > this.perWindow) this.departures.shift();
        waiter.resolve(departure);
      }
    } finally {
      this.pumping = false;
    }
  }
}
