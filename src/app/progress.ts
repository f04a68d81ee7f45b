import type { Writable } from 'node:stream';

/**
 * One line on a terminal's stderr, rewritten each second: records so far, the request rate,
 * the stream last heard from. Silent when stderr is not a terminal (logs, pipes, CI).
 */
export class Progress {
  private records = 0;
  private stream = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly stderr: Writable & { isTTY?: boolean; columns?: number },
    private readonly requests: () => number,
  ) {
    if (stderr.isTTY) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.timer.unref();
    }
  }

  add(stream: string, records: number): void {
    this.records += records;
    this.stream = stream;
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stderr.write('\r\x1b[K');
  }

  private draw(): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.requests() / seconds : 0;
    const text = `${this.records.toLocaleString('en-US')} records, ${rate.toFixed(1)} requests/s, ${Math.round(seconds)} s — ${this.stream}`;
    this.stderr.write(`\r\x1b[K${text.slice(0, Math.max(20, (this.stderr.columns || 100) - 1))}`);
  }
}
