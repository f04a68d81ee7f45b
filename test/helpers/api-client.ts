import { systemClock } from '../../src/clock.js';
import { ApiClient } from '../../src/http/client.js';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { DEFAULT_RETRY } from '../../src/http/retry.js';
import { startSimulator, type FaultRule, type Simulator } from 'customerio-simulator';
import { TEST_KEY } from './cli.js';

export interface ClientOptions {
  faults?: FaultRule[];
  rateLimit?: number;
  retryAfter?: boolean;
  rps?: number;
  maxAttempts?: number;
}

/** A simulator and an ApiClient pointed at it, with short retry delays and its log lines kept; the caller closes both. */
export async function testClient(options: ClientOptions = {}): Promise<{ api: ApiClient; logs: string[]; sim: Simulator }> {
  const sim = await startSimulator({
    apiKeys: [TEST_KEY],
    rateLimit: options.rateLimit ?? 0,
    retryAfter: options.retryAfter ?? false,
    faults: options.faults ?? [],
  });
  const logs: string[] = [];
  const api = new ApiClient({
    baseUrl: sim.url,
    apiKey: TEST_KEY,
    limiter: new RateLimiter(options.rps ?? 100, systemClock),
    retry: { ...DEFAULT_RETRY, baseDelayMs: 50, maxAttempts: options.maxAttempts ?? DEFAULT_RETRY.maxAttempts },
    clock: systemClock,
    logger: { log: (level, message) => logs.push(`${level} ${message}`) },
    signal: new AbortController().signal,
    timeoutMs: 2000,
  });
  return { api, logs, sim };
}
