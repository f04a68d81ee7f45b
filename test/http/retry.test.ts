import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from '../../src/http/retry.js';

describe('retry timing', () => {
  it('backs off exponentially with jitter between half and the whole step, capped', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 1000, maxDelayMs: 8000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0)).toBe(2000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4000);
    expect(backoffDelay(10, policy, () => 1)).toBe(8000);
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now, DEFAULT_RETRY)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now, DEFAULT_RETRY)).toBe(3000);
    expect(parseRetryAfter('100000', now, DEFAULT_RETRY)).toBe(DEFAULT_RETRY.maxRetryAfterMs);
    expect(parseRetryAfter(undefined, now, DEFAULT_RETRY)).toBeUndefined();
    expect(parseRetryAfter('soon', now, DEFAULT_RETRY)).toBeUndefined();
  });
});
