import type { Clock } from '../clock.js';
import { TapError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Outcome } from './classify.js';
import type { Departure, RateLimiter } from './rate-limit.js';

/** How often and how long to wait before trying a request again. */
export interface RetryPolicy {
  maxAttempts: number; // 5xx, timeouts, resets, unreadable bodies
  maxRateLimitedAttempts: number; // 429s: the budget is shared with other integrations, so be patient
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  maxRateLimitedAttempts: 20,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 300_000,
};

/** Exponential backoff with "equal jitter": at least half the step, so retries never bunch at zero. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number, policy: RetryPolicy): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  let ms: number;
  if (Number.isFinite(seconds)) ms = seconds * 1000;
  else {
    const date = Date.parse(header);
    if (Number.isNaN(date)) return undefined;
    ms = date - nowMs;
  }
  return Math.min(policy.maxRetryAfterMs, Math.max(0, ms));
}

export interface HttpStats {
  requests: number; // attempts sent, retries included
  retries: number;
  rateLimited: number;
  firstAt: number | undefined;
  lastAt: number | undefined;
}

/** One try of a request: its classified outcome, and for a success the parsed body. */
export interface Attempted {
  outcome: Outcome;
  retryAfterMs?: number;
  body?: unknown;
  serverTime?: number;
}

export interface RetryContext {
  policy: RetryPolicy;
  clock: Clock;
  limiter: RateLimiter;
  logger: Logger;
  signal: AbortSignal;
  stats: HttpStats;
  onRateLimited?: ((untilMs: number) => void) | undefined;
}

/**
 * Tries a request until it succeeds or a bounded number of tries is spent. A 429 pauses every
 * request of the process (the budget is the account's) and is tried more patiently than a 5xx,
 * a timeout or a reset; Retry-After wins over the backoff when the server sends it.
 */
export async function withRetries(
  endpoint: string,
  ctx: RetryContext,
  attempt: (departure: Departure) => Promise<Attempted>,
): Promise<{ body: unknown; serverTime: number | undefined }> {
  const { policy, clock, limiter, logger, signal, stats } = ctx;
  let failures = 0;
  let rateLimited = 0;
  for (;;) {
    if (signal.aborted) throw interrupted(endpoint);
    const departure = await limiter.acquire(signal).catch(() => {
      throw interrupted(endpoint);
    });
    const { outcome, retryAfterMs, body, serverTime } = await attempt(departure);
    if (outcome.kind === 'ok') return { body, serverTime };
    if (outcome.kind === 'fail') throw outcome.error;

    stats.retries++;
    let waitMs: number;
    if (outcome.rateLimited) {
      rateLimited++;
      stats.rateLimited++;
      if (rateLimited >= policy.maxRateLimitedAttempts) {
        throw new TapError('RATE_LIMITED', `${endpoint} was still rate limited after ${rateLimited} tries`, {
          hint: 'Another integration may be using the same account budget: lower requests_per_second or sync at a quieter time',
        });
      }
      waitMs = retryAfterMs ?? backoffDelay(rateLimited, policy);
      const until = clock.now() + waitMs;
      limiter.pause(until);
      ctx.onRateLimited?.(until);
    } else {
      failures++;
      if (failures >= policy.maxAttempts) {
        throw new TapError('API_UNAVAILABLE', `${outcome.reason}; gave up after ${failures} tries`, {
          hint: 'Customer.io (or the proxy at base_url) is failing; try again later',
        });
      }
      waitMs = retryAfterMs ?? backoffDelay(failures, policy);
    }
    logger.log('WARN', `${outcome.reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`);
    await clock.sleep(waitMs, signal).catch(() => {
      throw interrupted(endpoint);
    });
  }
}

export function interrupted(endpoint: string): TapError {
  return new TapError('INTERRUPTED', `Stopped before ${endpoint} completed`);
}
