import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Clock } from '../clock.js';
import type { Departure, RateLimiter } from './rate-limit.js';

/**
 * The rate limit counts a request when it reaches the socket, which undici reports on its
 * diagnostics channels. `dispatch` marks the departure of the request undici creates while it
 * runs (undici creates it synchronously inside pool.request()); when that request's headers go
 * out, the limiter is told the real departure time. Each client tracks only its own requests.
 */
export class SocketDepartures {
  private claim: Departure | undefined;
  private readonly departures = new WeakMap<object, Departure>();
  private readonly onCreate = (message: unknown): void => {
    if (this.claim === undefined) return;
    this.departures.set((message as { request: object }).request, this.claim);
    this.claim = undefined;
  };
  private readonly onSendHeaders = (message: unknown): void => {
    const departure = this.departures.get((message as { request: object }).request);
    if (departure) this.limiter.sentAt(departure, this.clock.now());
  };

  constructor(
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
  ) {
    subscribe('undici:request:create', this.onCreate);
    subscribe('undici:client:sendHeaders', this.onSendHeaders);
  }

  /** Runs `start` (which must create the undici request synchronously) with `departure` claimed. */
  dispatch<T>(departure: Departure, start: () => T): T {
    this.claim = departure;
    try {
      return start();
    } finally {
      this.claim = undefined;
    }
  }

  close(): void {
    unsubscribe('undici:request:create', this.onCreate);
    unsubscribe('undici:client:sendHeaders', this.onSendHeaders);
  }
}
