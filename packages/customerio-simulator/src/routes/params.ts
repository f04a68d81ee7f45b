import { ApiError } from '../reply.js';

/**
 * Query and path parameter parsing. Where customerio-api.md leaves behaviour UNCONFIRMED, the
 * stricter reading is used: malformed numbers are a 400 rather than silently defaulted, while
 * values above a declared maximum are clamped (the doc's reading of current live behaviour).
 */
export function malformed(name: string): ApiError {
  return new ApiError(400, `The request was malformed: invalid value for parameter ${name}`);
}

export function integerParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?[0-9]+$/.test(raw)) throw malformed(name);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw malformed(name);
  return value;
}

export interface LimitRule {
  default: number;
  max: number;
}

export function limitParam(query: URLSearchParams, rule: LimitRule): number {
  const value = integerParam(query, 'limit');
  if (value === undefined) return rule.default;
  if (value < 1) throw malformed('limit');
  return Math.min(value, rule.max);
}

export function idParam(params: Record<string, string>, name: string): number {
  const raw = params[name] ?? '';
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ApiError(400, `The request was malformed: invalid ${name}`);
  }
  return Number(raw);
}

export function startParam(query: URLSearchParams): string | undefined {
  const raw = query.get('start');
  return raw === null || raw === '' ? undefined : raw;
}

export function notFound(what: string): ApiError {
  return new ApiError(404, `${what} not found`);
}
