import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Pool } from 'undici';
import type { Clock } from '../clock.js';
import { TapError } from '../errors.js';
import type { Logger } from '../logger.js';
import { classifyNetworkError, classifyStatus, type Outcome } from './classify.js';
import type { Departure, RateLimiter } from './rate-limit.js';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from './retry.js';

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

export interface HttpStats {
  requests: number; // attempts sent, retries included
  retries: number;
  rateLimited: number;
  firstAt: number | undefined;
  lastAt: number | undefined;
}

/** Speaks to one Customer.io host: auth, the shared rate limit, retries, and outcome classification. */
export class ApiClient {
  readonly stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, firstAt: undefined, lastAt: undefined };
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly headers: Record<string, string>;
  // The rate limit counts a request when it reaches the socket, which undici reports on its
  // diagnostics channels: `claim` is the departure of the request being dispatched right now
  // (undici creates the request synchronously inside pool.request()).
  private claim: Departure | undefined;
  private readonly departures = new WeakMap<object, Departure>();
  private readonly onCreate = (message: unknown): void => {
    if (this.claim === undefined) return;
    this.departures.set((message as { request: object }).request, this.claim);
    this.claim = undefined;
  };
  private readonly onSendHeaders = (message: unknown): void => {
    const departure = this.departures.get((message as { request: object }).request);
    if (departure) this.options.limiter.sentAt(departure, this.options.clock.now());
  };

  constructor(private readonly options: ApiClientOptions) {
    const url = new URL(options.baseUrl);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, { connections: 32, pipelining: 1, keepAliveTimeout: 10_000 });
    this.headers = {
      authorization: `Bearer ${options.apiKey}`,
      accept: 'application/json',
      'user-agent': options.userAgent ?? 'tap-customerio',
    };
    subscribe('undici:request:create', this.onCreate);
    subscribe('undici:client:sendHeaders', this.onSendHeaders);
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
    const { retry, clock, limiter, logger, signal } = this.options;
    const method = request.method ?? 'GET';
    const endpoint = `${method} ${request.path}`;
    const path = this.prefix + request.path + queryString(request.query);
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      if (signal.aborted) throw interrupted(endpoint);
      const departure = await limiter.acquire(signal).catch(() => {
        throw interrupted(endpoint);
      });
      const { outcome, retryAfterMs, body, serverTime } = await this.attempt(method, path, endpoint, request.body, departure);
      if (outcome.kind === 'ok') return { body, serverTime };
      if (outcome.kind === 'fail') throw outcome.error;

      this.stats.retries++;
      let waitMs: number;
      if (outcome.rateLimited) {
        rateLimited++;
        this.stats.rateLimited++;
        if (rateLimited >= retry.maxRateLimitedAttempts) {
          throw new TapError('RATE_LIMITED', `${endpoint} was still rate limited after ${rateLimited} tries`, {
            hint: 'Another integration may be using the same account budget: lower requests_per_second or sync at a quieter time',
          });
        }
        waitMs = retryAfterMs ?? backoffDelay(rateLimited, retry);
        const until = clock.now() + waitMs;
        limiter.pause(until);
        this.options.onRateLimited?.(until);
      } else {
        failures++;
        if (failures >= retry.maxAttempts) {
          throw new TapError('API_UNAVAILABLE', `${outcome.reason}; gave up after ${failures} tries`, {
            hint: 'Customer.io (or the proxy at base_url) is failing; try again later',
          });
        }
        waitMs = retryAfterMs ?? backoffDelay(failures, retry);
      }
      logger.log('WARN', `${outcome.reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`);
      await clock.sleep(waitMs, signal).catch(() => {
        throw interrupted(endpoint);
      });
    }
  }

  private async attempt(
    method: 'GET' | 'POST',
    path: string,
    endpoint: string,
    payload: unknown,
    departure: Departure,
  ): Promise<{ outcome: Outcome; retryAfterMs?: number; body?: unknown; serverTime?: number }> {
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
      this.claim = departure;
      let sending;
      try {
        sending = this.pool.request({
          method,
          path,
          headers: payload === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
          body: payload === undefined ? null : JSON.stringify(payload),
          signal,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
      } finally {
        this.claim = undefined;
      }
      const response = await sending;
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
      return Number.isNaN(parsedDate) ? { outcome, body } : { outcome, body, serverTime: Math.floor(parsedDate / 1000) };
    } catch {
      const excerpt = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
      return {
        outcome: { kind: 'retry', reason: `${endpoint} answered ${status} with a body that is not JSON ("${excerpt}")`, rateLimited: false },
      };
    }
  }

  async close(): Promise<void> {
    unsubscribe('undici:request:create', this.onCreate);
    unsubscribe('undici:client:sendHeaders', this.onSendHeaders);
    await this.pool.close();
  }
}

function interrupted(endpoint: string): TapError {
  return new TapError('INTERRUPTED', `Stopped before ${endpoint} completed`);
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
