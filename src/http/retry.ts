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
