import { expect } from 'vitest';
import { DEMO_API_KEY, errorStatusAsNumber, MESSAGE_HISTORY_DAYS, SCALES, startSimulator, type Simulator, type SimulatorOptions } from '../src/index.js';

/** A fixed clock (2025-10-09) so every run sees the same workspace. */
export const NOW = 1_760_000_000;
export const DAY = 86_400;

export const AUTH = { authorization: `Bearer ${DEMO_API_KEY}` };

/** The sizes of the workspace start() gives unless told otherwise: the small scale of scale.ts. */
export const SMALL = SCALES.small;

/**
 * Messages a small workspace holds at NOW: the yearly rate over MESSAGE_HISTORY_DAYS, worked out
 * here from scale.ts's definitions rather than by the simulator's own code, so a simulator that
 * serves another number fails the tests that count them.
 */
export const SMALL_MESSAGES = Math.round((SMALL.messagesPerYear * MESSAGE_HISTORY_DAYS) / 365);

/** A small simulator without rate limiting, unless the test says otherwise. */
export function start(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ now: NOW, rateLimit: 0, ...opts });
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export async function call<T = Record<string, unknown>>(
  sim: Simulator,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const res = await fetch(sim.url + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...AUTH, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: T;
  try {
    json = JSON.parse(text) as T;
  } catch {
    json = undefined as T;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * `errors[0].status` of a route's 400 or 404 for `path`: the string of the current spec, or for
 * one path in three the number S6 types (data/drift.ts errorStatusAsNumber).
 */
export function routeErrorStatus(path: string, status: number, seed = 1): string | number {
  return errorStatusAsNumber(seed, new URL(path, 'http://simulator.invalid').pathname) ? status : String(status);
}

/** The whole errors envelope a route answers for `path`. */
export function routeError(path: string, status: number, detail: unknown = expect.any(String), seed = 1): unknown {
  return { errors: [{ detail, status: routeErrorStatus(path, status, seed) }] };
}

export interface Walk<R> {
  records: R[];
  pages: number;
  /** Pages that held no records but still carried a non-empty `next`. */
  emptyPagesWithNext: number;
  tokens: string[];
}

/**
 * Follows `next` → `start` until `next` is "", failing on a repeated token or a non-200, like a
 * careful client would. `read` picks the records out of a page (null lists count as empty).
 */
export async function walk<R>(
  sim: Simulator,
  path: string,
  read: (page: Record<string, unknown>) => R[] | null,
  init: { method?: string; body?: unknown } = {},
  maxPages = 10_000,
): Promise<Walk<R>> {
  const out: Walk<R> = { records: [], pages: 0, emptyPagesWithNext: 0, tokens: [] };
  let start: string | undefined;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const url = start === undefined ? path : `${path}${sep}start=${encodeURIComponent(start)}`;
    const page = await call(sim, url, init);
    expect(page.status, `${url}: ${page.text.slice(0, 200)}`).toBe(200);
    out.pages++;
    const records = read(page.json) ?? [];
    out.records.push(...records);
    const next = page.json.next;
    expect(typeof next).toBe('string');
    if (next === '') return out;
    if (records.length === 0) out.emptyPagesWithNext++;
    expect(out.tokens, `token ${String(next)} served twice`).not.toContain(next);
    out.tokens.push(next as string);
    start = next as string;
    if (out.pages >= maxPages) throw new Error(`more than ${maxPages} pages at ${path}`);
  }
}

export function list<R>(key: string): (page: Record<string, unknown>) => R[] | null {
  return (page) => {
    expect(key in page, `records key ${key}`).toBe(true);
    const v = page[key];
    expect(v === null || Array.isArray(v)).toBe(true);
    // §4: an empty list is null, never [].
    if (Array.isArray(v)) expect(v.length).toBeGreaterThan(0);
    return v as R[] | null;
  };
}

export function expectNoDuplicates(values: readonly unknown[]): void {
  expect(new Set(values).size).toBe(values.length);
}
