import type { Writable } from 'node:stream';
import type { Redactor } from '../redact.js';
import type { LogLevel, Renderer, TapEvent } from './events.js';

const FLUSH_BYTES = 60_000;

/**
 * The only code that writes to stdout. Lines are batched into large writes, flushed at every
 * STATE (so a consumer that is killed has seen the latest checkpoint) and whenever the batch is
 * full; a full pipe makes emit() wait for 'drain', which is how backpressure reaches the HTTP loop.
 */
export class Output {
  private pending = '';
  private draining: Promise<void> | undefined;
  private closedReason: string | undefined;
  private readonly onClosed: Array<(reason: string) => void> = [];

  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    private readonly redactor: Redactor,
    private readonly render: Renderer,
  ) {
    stdout.on('error', (error: NodeJS.ErrnoException) => this.markClosed(error.code ?? error.message));
  }

  /** Set when the consumer went away (EPIPE): nothing more will be written. */
  get closed(): string | undefined {
    return this.closedReason;
  }

  whenClosed(listener: (reason: string) => void): void {
    this.onClosed.push(listener);
  }

  emit(event: TapEvent): Promise<void> | undefined {
    const rendered = this.render(event);
    if (rendered.stderr) this.writeStderr(rendered.stderr);
    if (!rendered.stdout) return undefined;
    if (typeof rendered.stdout === 'string') {
      this.pending += rendered.stdout;
      if (event.kind === 'state' || event.kind === 'error' || this.pending.length >= FLUSH_BYTES) return this.flush();
      return undefined;
    }
    // Chunks are written as they come; only the last wait for the pipe is kept.
    let wait: Promise<void> | undefined;
    for (const chunk of rendered.stdout) {
      this.pending += chunk;
      if (this.pending.length >= FLUSH_BYTES) wait = this.flush() ?? wait;
    }
    return wait;
  }

  /** Raw protocol text (spec, catalog, connection status) that does not come from a sync. */
  write(text: string): Promise<void> | undefined {
    this.pending += text;
    return this.flush();
  }

  log(level: LogLevel, message: string): void {
    void this.emit({ kind: 'log', level, message });
  }

  writeStderr(text: string): void {
    this.stderr.write(this.redactor.active ? this.redactor.text(text) : text);
  }

  flush(): Promise<void> | undefined {
    if (this.pending === '') return undefined;
    const chunk = this.redactor.active ? this.redactor.text(this.pending) : this.pending;
    this.pending = '';
    if (this.closedReason) return undefined;
    if (this.stdout.write(chunk)) return this.draining;
    // One wait for 'drain' however many writes queue behind it.
    this.draining ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.stdout.off('drain', done);
        this.stdout.off('close', done);
        this.draining = undefined;
        resolve();
      };
      this.stdout.on('drain', done);
      this.stdout.on('close', done);
    });
    return this.draining;
  }

  /** Resolves once everything written so far has been handed to the OS. */
  async end(): Promise<void> {
    await this.flush();
    if (this.closedReason) return;
    await new Promise<void>((resolve) => {
      if (this.stdout.writableNeedDrain) this.stdout.once('drain', () => resolve());
      else this.stdout.write('', () => resolve());
    });
  }

  private markClosed(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const listener of this.onClosed) listener(reason);
  }
}
