import { Calendar, PERIODS, RESOLUTIONS, v1Edges } from '../metrics/buckets.js';
import type { Leaf } from '../metrics/hourly.js';
import { Zone } from '../metrics/zone.js';
import { ApiError } from '../reply.js';
import { integerParam, malformed } from './params.js';

/**
 * Query parameters of the metrics endpoints (customerio-api.md §6). Every 400 names the
 * parameter. Where the doc is silent the stricter reading is taken and said so.
 */

/** `type` on campaign, action and broadcast metrics (S12 metricType). */
export const METRIC_TYPES = ['email', 'webhook', 'twilio', 'whatsapp', 'slack', 'push', 'in_app', 'live_notification'] as const;

/** `type` on newsletter and variant metrics (S12 newsletterMetricsType). */
export const NEWSLETTER_TYPES = ['email', 'webhook', 'twilio', 'push', 'in_app', 'inbox'] as const;

function required(name: string): ApiError {
  return new ApiError(400, `The request was malformed: missing required parameter ${name}`);
}

/**
 * v1 bucket edges: `period` (default days) and `steps`. Omitted steps = the maximum (12 for
 * months); 0 = the maximum; 1 = 2 buckets (fewer than 2 is impossible); above the maximum is a
 * 400 (the stricter reading: whether live clamps is UNCONFIRMED). The last bucket holds `now`.
 */
export function v1Window(query: URLSearchParams, now: number): number[] {
  const periodName = query.get('period') || 'days';
  const rule = PERIODS[periodName];
  if (rule === undefined) throw malformed('period');
  const steps = integerParam(query, 'steps');
  if (steps !== undefined && (steps < 0 || steps > rule.max)) {
    throw new ApiError(400, `The request was malformed: invalid value for parameter steps (0 to ${rule.max} for period ${periodName})`);
  }
  const n = steps === undefined ? rule.omitted : steps === 0 ? rule.max : Math.max(2, steps);
  return v1Edges(rule, n, now);
}

/** `version`: the enum 1|2; omitted means 1. Other values are a 400 (stricter than "≠2 is v1"). */
export function versionParam(query: URLSearchParams): 1 | 2 {
  const raw = query.get('version');
  if (raw === null || raw === '' || raw === '1') return 1;
  if (raw === '2') return 2;
  throw malformed('version');
}

export function typeParam(query: URLSearchParams, allowed: readonly string[]): string | undefined {
  const raw = query.get('type');
  if (raw === null || raw === '') return undefined;
  if (!allowed.includes(raw)) throw malformed('type');
  return raw;
}

/** Keeps the leaves of one channel; no `type` keeps all (§6: "empty = all possible types"). */
export function ofType(leaves: Leaf[], type: string | undefined): Leaf[] {
  return type === undefined ? leaves : leaves.filter((l) => l.channel === type);
}

export function uniqueParam(query: URLSearchParams): boolean {
  const raw = query.get('unique');
  if (raw === null || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw malformed('unique');
}

function unixParam(query: URLSearchParams, name: string): number {
  const v = integerParam(query, name);
  if (v === undefined) throw required(name);
  if (v < 0) throw malformed(name);
  return v;
}

export interface Window {
  /** The resolution as given ('days', 'daily', …): v2 echoes it in `res`. */
  res: string;
  zone: Zone;
  /** Bucket i = [edges[i], edges[i + 1]). */
  edges: number[];
}

/**
 * A start/end/resolution window: buckets from the one holding `start` (aligned down in `zone`)
 * through the one holding `end`. start > end is a 400; so is `end` more than 10 calendar years
 * after `start` (§9.2 for v2 metrics; journey metrics get the same cap, UNCONFIRMED there).
 */
function window(query: URLSearchParams, resNames: readonly string[], zone: Zone): Window {
  const resName = resNames.find((n) => query.get(n) !== null && query.get(n) !== '');
  if (resName === undefined) throw required(resNames[0] ?? 'res');
  const res = query.get(resName) ?? '';
  const unit = RESOLUTIONS[res];
  if (unit === undefined) throw malformed(resName);
  const start = unixParam(query, 'start');
  const end = unixParam(query, 'end');
  if (start > end) throw new ApiError(400, 'The request was malformed: parameter start is after end');
  const limit = new Date(start * 1000);
  limit.setUTCFullYear(limit.getUTCFullYear() + 10);
  if (end > limit.getTime() / 1000) {
    throw new ApiError(400, 'The request was malformed: parameter end is more than 10 years after start');
  }
  return { res, zone, edges: new Calendar(zone, unit).window(start, end) };
}

/** v2 campaign/action metrics: `res`, `start`, `end` required, `tz` an IANA zone (default UTC). */
export function v2Window(query: URLSearchParams): Window {
  let zone: Zone;
  try {
    zone = new Zone(query.get('tz') || 'UTC');
  } catch {
    throw malformed('tz');
  }
  return window(query, ['res'], zone);
}

/**
 * Journey metrics: `start`, `end`, `resolution` required (`res` tolerated, §6). The doc names no
 * time zone: buckets are aligned in UTC (UNCONFIRMED).
 */
export function journeyWindow(query: URLSearchParams): Window {
  return window(query, ['resolution', 'res'], new Zone('UTC'));
}
