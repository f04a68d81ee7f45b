import type { TapConfig } from '../config.js';
import { TapError } from '../errors.js';
import { AUTH_HINT } from '../http/classify.js';
import { ApiClient, type AttemptInfo } from '../http/client.js';
import { RateLimiter } from '../http/rate-limit.js';
import { candidates } from '../http/region.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../http/retry.js';
import type { Logger } from '../logger.js';
import { packageVersion } from '../spec.js';
import type { Runtime } from './runtime.js';

/** The region probe: the cheapest call, and it answers the workspace counts the estimates use. */
export const PROBE_PATH = '/v1/workspaces';

export interface Connection {
  api: ApiClient;
  limiter: RateLimiter;
  /** 'us', 'eu' or 'base_url'. */
  region: string;
  /** The GET /v1/workspaces answer when the host had to be probed (counts for estimates). */
  workspaces?: unknown;
}

export interface ConnectOptions {
  config: TapConfig;
  runtime: Runtime;
  logger: Logger;
  signal: AbortSignal;
  /** Probe even when the host is known (check wants proof that the key works). */
  probe: boolean;
  retry?: RetryPolicy;
  onRateLimited?: (untilMs: number) => void;
  onAttempt?: (attempt: AttemptInfo) => void;
}

/**
 * Opens a client on the right host. With region auto the key is tried on US, then EU (a key
 * from the other region answers 401); the probe is GET /v1/workspaces, the cheapest call.
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const { config, runtime, logger, signal } = options;
  const limiter = new RateLimiter(config.requests_per_second, runtime.clock);
  const hosts = candidates(config, runtime.hosts);
  const rejected: string[] = [];
  for (const candidate of hosts) {
    const api = new ApiClient({
      baseUrl: candidate.baseUrl,
      apiKey: config.app_api_key,
      limiter,
      retry: options.retry ?? DEFAULT_RETRY,
      clock: runtime.clock,
      logger,
      signal,
      userAgent: `tap-customerio/${packageVersion()}`,
      timeoutMs: config.request_timeout_seconds * 1000,
      ...(options.onRateLimited ? { onRateLimited: options.onRateLimited } : {}),
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
    });
    if (!options.probe && hosts.length === 1) return { api, limiter, region: candidate.label };
    try {
      const workspaces = await api.request({ path: PROBE_PATH });
      return { api, limiter, region: candidate.label, workspaces };
    } catch (error) {
      if (error instanceof TapError && error.code === 'FORBIDDEN') {
        // The key is valid here; it only may not list workspaces.
        return { api, limiter, region: candidate.label };
      }
      await api.close();
      if (error instanceof TapError && error.code === 'AUTH_FAILED' && hosts.length > 1) {
        rejected.push(new URL(candidate.baseUrl).host);
        continue;
      }
      throw error;
    }
  }
  throw new TapError('AUTH_FAILED', `Customer.io rejected the App API key in every region (${rejected.join(', ')})`, { hint: AUTH_HINT });
}
