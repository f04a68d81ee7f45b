import { performance } from 'node:perf_hooks';
import type { SlidingWindowLimiter } from './rate-limit.js';
import { errorReply, type Reply } from './reply.js';
import type { RouteMatch } from './routes/router.js';
import type { StatsRecorder } from './stats.js';

export interface ApiRequest {
  method: string;
  url: URL;
  authorization: string | undefined;
  body: string;
  match: RouteMatch | null;
}

export interface ApiPolicy {
  apiKeys: ReadonlySet<string>;
  forbidden: readonly string[];
  retryAfter: boolean;
  rateLimit: number;
}

/**
 * Everything between the socket and a route: bearer authentication (401), the account rate
 * limit (429), missing scopes (403), unknown paths (404); the route itself answers elsewhere. The order is
 * that of the real service as far as it shows: a bad key never reaches the account's budget.
 */
export class Api {
  private reference = 0;

  constructor(
    private readonly policy: ApiPolicy,
    private readonly limiter: SlidingWindowLimiter,
    private readonly stats: StatsRecorder,
  ) {}

  /**
   * The front of the API: a rejection (401, 429, 403, 404) or undefined when the request is
   * admitted and its route may answer.
   */
  admit(req: ApiRequest): Reply | undefined {
    const key = bearerToken(req.authorization);
    if (key === undefined || !this.policy.apiKeys.has(key)) {
      return errorReply(401, 'Unauthorized request: use an App API key as a Bearer token, from the region of your account');
    }
    const nowMs = performance.now();
    if (!this.limiter.tryAccept(nowMs)) {
      this.reference++;
      const ref = (0xa1b2c3 + this.reference * 0x9e37).toString(16).slice(-6);
      return errorReply(
        429,
        `rate limited to ${this.policy.rateLimit} requests per 1s (reference ${ref})`,
        this.policy.retryAfter ? { 'Retry-After': '1' } : {},
      );
    }
    this.stats.acceptedAt(nowMs);
    const path = req.url.pathname;
    if (this.policy.forbidden.some((prefix) => path.startsWith(prefix))) {
      return errorReply(403, 'Forbidden: this API key does not have the scope required for this endpoint');
    }
    if (req.match === null || !req.match.methodAllowed) {
      return errorReply(404, `The requested resource ${req.method} ${path} was not found`);
    }
    return undefined;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
