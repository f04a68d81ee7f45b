import { Pool } from 'undici';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { classifyNetworkError, classifyStatus } from './classify.js';
import { SocketDepartures } from './departures.js';
import type { Departure, RateLimiter } from './rate-limit.js';
import { interrupted, parseRetryAfter, withRetries, type Attempted, type HttpStats, type RetryPolicy } from './retry.js';

export type { HttpStats };

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiRequest {
  method?: 'GET' | 'POST';
  path: string; // '/v1/campaigns'
  query?: Query;
  body?: unknown;
}

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  limiter: RateLimiter;
  retry: RetryPolicy;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  timeoutMs?: number;
  userAgent?: string;
  /** Told when every request must wait for the server's rate limit (Airbyte RATE_LIMITED status). */
  onRateLimited?: (untilMs: number) => void;
  /** Told after every attempt (Singer METRIC timers). */
  onAttempt?: (attempt: AttemptInfo) => void;
}

export interface AttemptInfo {
  method: string;
  path: string; // request path without the query
  status: number | undefined; // undefined when no answer came
  ok: boolean;
  durationMs: number;
}

/** Speaks to one Customer.io host: auth, the shared rate limit, retries, and outcome classification. */
export class ApiClient {
  readonly stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, firstAt: undefined, lastAt: undefined };
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly headers: Record<string, string>;
  private readonly departures: SocketDepartures;

  constructor(private readonly options: ApiClientOptions) {
    const url = new URL(options.baseUrl);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, { connections: 32, pipelining: 1, keepAliveTimeout: 10_000 });
    this.headers = {
      authorization: `Bearer ${options.apiKey}`,
      accept: 'application/json',
      'user-agent': options.userAgent ?? 'tap-customerio',
    };
    this.departures = new SocketDepartures(options.limiter, options.clock);
  }

  /** The least (server's Date − our clock when the request left) of the answers so far, in seconds; undefined before one. */
  private offset: number | undefined;

  /**
   * How far the server's clock stands from ours, by the Date headers seen so far: negative when
   * it is behind. Whole seconds (the header's), so ±1 is rounding.
   */
  serverOffset(): number | undefined {
    return this.offset;
  }

  /** Sends the request until it succeeds or a bounded number of tries is spent; returns parsed JSON. */
  async request<T = unknown>(request: ApiRequest): Promise<T> {
    return (await this.send(request)).body as T;
  }

  /**
   * Like request(), with the server's clock from the Date header (unix seconds): metrics that
   * end "now" are bucketed by the server's now, not ours.
   */
  async send(request: ApiRequest): Promise<{ body: unknown; serverTime: number | undefined }> {
    const { retry, clock, limiter, logger, signal, onRateLimited } = this.options;
    const method = request.method ?? 'GET';
    const endpoint = `${method} ${request.path}`;
    const path = this.prefix + request.path + queryString(request.query);
    const ctx = { policy: retry, clock, limiter, logger, signal, stats: this.stats, onRateLimited };
    return withRetries(endpoint, ctx, (departure) => this.attempt(method, path, endpoint, request.body, departure));
  }

  private async attempt(method: 'GET' | 'POST', path: string, endpoint: string, payload: unknown, departure: Departure): Promise<Attempted> {
    const { clock, retry, signal } = this.options;
    const now = clock.now();
    this.stats.requests++;
    this.stats.firstAt ??= now;
    this.stats.lastAt = now;
    const timeout = this.options.timeoutMs ?? 60_000;
    const report = (status: number | undefined, ok: boolean): void =>
      this.options.onAttempt?.({ method, path: endpoint.slice(method.length + 1), status, ok, durationMs: clock.now() - now });
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    let date: string | string[] | undefined;
    try {
      const response = await this.departures.dispatch(departure, () =>
        this.pool.request({
          method,
          path,
          headers: payload === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
          body: payload === undefined ? null : JSON.stringify(payload),
          signal,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        }),
      );
      status = response.statusCode;
      retryAfter = response.headers['retry-after'];
      date = response.headers['date'];
      text = await response.body.text();
    } catch (error) {
      if (signal.aborted) throw interrupted(endpoint);
      report(undefined, false);
      return { outcome: classifyNetworkError(error, endpoint) };
    }
    const outcome = classifyStatus(status, endpoint, text);
    report(status, outcome.kind === 'ok');
    const retryAfterMs = outcome.kind === 'retry' ? parseRetryAfter(retryAfter, clock.now(), retry) : undefined;
    if (outcome.kind !== 'ok') return retryAfterMs === undefined ? { outcome } : { outcome, retryAfterMs };
    try {
      const parsedDate = typeof date === 'string' ? Date.parse(date) : Number.NaN;
      const body: unknown = JSON.parse(text);
      if (Number.isNaN(parsedDate)) return { outcome, body };
      const serverTime = Math.floor(parsedDate / 1000);
      // Against the moment the request left: the server dated its answer after that.
      const offset = serverTime - Math.floor(now / 1000);
      this.offset = this.offset === undefined ? offset : Math.min(this.offset, offset);
      return { outcome, body, serverTime };
    } catch {
      const excerpt = text
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 80);
      return {
        outcome: { kind: 'retry', reason: `${endpoint} answered ${status} with a body that is not JSON ("${excerpt}")`, rateLimited: false },
      };
    }
  }

  async close(): Promise<void> {
    this.departures.close();
    await this.pool.close();
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
