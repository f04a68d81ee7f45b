/**
 * The workspace clock. It is frozen so that responses are reproducible; only advance() moves it.
 * `origin` (the initial time) anchors all generated history, so the same seed + scale + origin
 * always describe the same workspace.
 */
export class WorkspaceClock {
  private current: number;

  constructor(readonly origin: number) {
    if (!Number.isInteger(origin)) throw new TypeError('now must be an integer number of unix seconds');
    this.current = origin;
  }

  now(): number {
    return this.current;
  }

  advance(seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw new RangeError(`advance() takes a non-negative integer number of seconds, got ${seconds}`);
    }
    this.current += seconds;
  }
}
