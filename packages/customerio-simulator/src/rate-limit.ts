/**
 * Timestamps (ms) of the requests accepted in the trailing window, oldest first. A ring of
 * monotonic times: pushing and expiring are O(1) amortised.
 */
export class WindowLog {
  private times: number[] = [];
  private head = 0;

  constructor(readonly windowMs = 1000) {}

  /** Drops entries that left the window ending at `nowMs`, returns how many remain. */
  countAt(nowMs: number): number {
    while (this.head < this.times.length && nowMs - (this.times[this.head] ?? 0) >= this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  push(nowMs: number): void {
    this.times.push(nowMs);
  }

  clear(): void {
    this.times = [];
    this.head = 0;
  }
}

/**
 * The account-wide limit: at most `limit` accepted requests in any sliding 1000 ms window.
 * Rejected requests are not logged, so a client hammering through 429s does not extend its
 * own penalty (the budget frees up exactly one window after the accepted requests).
 */
export class SlidingWindowLimiter {
  private readonly log = new WindowLog(1000);

  constructor(private readonly limit: number) {}

  tryAccept(nowMs: number): boolean {
    if (this.limit <= 0) return true;
    if (this.log.countAt(nowMs) >= this.limit) return false;
    this.log.push(nowMs);
    return true;
  }
}
