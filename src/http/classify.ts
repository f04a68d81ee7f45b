import { TapError } from '../errors.js';

/** The one place that decides what an HTTP outcome means. */
export type Outcome = { kind: 'ok' } | { kind: 'retry'; reason: string; rateLimited: boolean } | { kind: 'fail'; error: TapError };

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504, 520, 522, 524]);

export const AUTH_HINT =
  'Check that it is an App API key (Customer.io: Settings > Account Settings > API Credentials > App API Keys), ' +
  'not a Track API key; that the region matches the workspace (us = api.customer.io, eu = api-eu.customer.io, or set region to auto); ' +
  "and that the key's IP allowlist includes this machine";

export function classifyStatus(status: number, endpoint: string, body: string): Outcome {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const said = describeBody(body);
  if (RETRYABLE_STATUS.has(status)) {
    return { kind: 'retry', reason: `${endpoint} answered ${status}${said}`, rateLimited: status === 429 };
  }
  if (status === 401) {
    return {
      kind: 'fail',
      error: new TapError('AUTH_FAILED', `Customer.io rejected the App API key (401 at ${endpoint})`, { hint: AUTH_HINT, status }),
    };
  }
  if (status === 403) {
    return {
      kind: 'fail',
      error: new TapError('FORBIDDEN', `The App API key may not read ${endpoint} (403${said})`, {
        hint: 'Give the key access to this data in Customer.io (API Credentials > App API Keys > edit scope), use a full-access key, or deselect the stream; an IP allowlist can also cause 403',
        status,
      }),
    };
  }
  if (status === 404) {
    return { kind: 'fail', error: new TapError('NOT_FOUND', `${endpoint} was not found (404${said})`, { status }) };
  }
  if (status >= 300 && status < 400) {
    return {
      kind: 'fail',
      error: new TapError('REQUEST_REJECTED', `${endpoint} answered a redirect (${status}); it is not followed so the key never leaves the configured host`, {
        hint: 'Point base_url (or region) at the host that serves the API directly',
        status,
      }),
    };
  }
  return {
    kind: 'fail',
    error: new TapError('REQUEST_REJECTED', `${endpoint} rejected the request (${status}${said})`, {
      hint: 'This usually means the tap sent a parameter the API does not accept; please report it',
      status,
    }),
  };
}

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function classifyNetworkError(error: unknown, endpoint: string): Outcome {
  const code = networkCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code && RETRYABLE_NETWORK.has(code)) {
    return { kind: 'retry', reason: `${endpoint} failed: ${describeNetwork(code, message)}`, rateLimited: false };
  }
  return {
    kind: 'fail',
    error: new TapError('API_UNAVAILABLE', `${endpoint} failed: ${message}`, {
      hint: 'Check network access to the Customer.io API host (or base_url)',
      cause: error,
    }),
  };
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeNetwork(code: string, message: string): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name could not be resolved (${code})`;
    case 'ECONNREFUSED':
      return 'the connection was refused (ECONNREFUSED)';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `no answer within the request timeout (${code})`;
    default:
      return `${message} (${code})`;
  }
}

/** A short, safe excerpt of what the server said: the API's error detail, or the start of the body. */
export function describeBody(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  try {
    const parsed = JSON.parse(text) as { errors?: Array<{ detail?: unknown }>; meta?: { error?: unknown } };
    const detail = parsed.errors?.[0]?.detail ?? parsed.meta?.error;
    if (typeof detail === 'string') return `: ${detail.slice(0, 200)}`;
  } catch {
    // not JSON: fall through to an excerpt
  }
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `: ${flat.slice(0, 120)}${flat.length > 120 ? '…' : ''}`;
}
