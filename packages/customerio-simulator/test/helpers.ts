import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { DEMO_API_KEY, errorStatusAsNumber, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

/** A fixed clock (2025-10-09) so every run sees the same workspace. */
export const NOW = 1_760_000_000;
export const DAY = 86_400;

export const AUTH = { authorization: `Bearer ${DEMO_API_KEY}` };

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

/** A stream's schema file as parsed JSON. */
export function readSchema(stream: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../schemas/${stream}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

function walkSchema(node: unknown, visit: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walkSchema(n, visit));
  else if (node !== null && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    Object.values(node).forEach((n) => walkSchema(n, visit));
  }
}

/**
 * What both protocols accept: an object root open to new fields, key and cursor declared,
 * non-null and required, nullable types as ["null", T], none of $ref/allOf/anyOf/not/$schema.
 */
export function expectWellFormedSchema(stream: string, schema: Record<string, unknown>, fields: readonly string[], ajv: Ajv): void {
  expect(schema.type).toBe('object');
  expect(schema.additionalProperties).toBe(true);
  const props = schema.properties as Record<string, { type: unknown }>;
  for (const k of fields) {
    expect(props[k], `${stream}.${k}`).toBeDefined();
    expect(typeof props[k]?.type, `${stream}.${k}`).toBe('string');
    expect(schema.required, `${stream}.${k} required`).toContain(k);
  }
  walkSchema(schema, (n) => {
    for (const banned of ['$ref', 'allOf', 'anyOf', 'not', '$schema']) expect(n).not.toHaveProperty(banned);
    if (Array.isArray(n.type)) {
      expect(n.type).toHaveLength(2);
      expect(n.type[0]).toBe('null');
    }
    if ('additionalProperties' in n) expect(n.additionalProperties).toBe(true);
  });
  expect(() => ajv.compile(schema)).not.toThrow();
}

/** An Ajv as the tap validates with: formats on, every error reported. */
export function recordAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

function declares(node: unknown, type: string): boolean {
  const t = (node as { type?: unknown } | undefined)?.type;
  return t === type || (Array.isArray(t) && t.includes(type));
}

/**
 * A served record as a conforming reader sees it: the documented type drift (data/drift.ts)
 * coerced losslessly to the declared types. A number where the schema declares a string becomes
 * its decimal string, a numeric string where it declares an integer becomes the integer, and a
 * bare integer in a list the schema declares of objects becomes `{id}`. Top-level fields and
 * their list items only; anything else is left for the schema to judge.
 */
export function asDeclared(schema: Record<string, unknown>, record: unknown): unknown {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return record;
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const prop = props[key];
    if (typeof value === 'number' && declares(prop, 'string') && !declares(prop, 'integer')) out[key] = String(value);
    else if (typeof value === 'string' && /^-?[0-9]+$/.test(value) && declares(prop, 'integer')) out[key] = Number(value);
    else if (Array.isArray(value) && declares(prop?.items, 'object')) out[key] = value.map((v) => (typeof v === 'number' ? { id: v } : v));
    else out[key] = value;
  }
  return out;
}

/**
 * Checks records against their stream's schema file: there must be some, and each must validate
 * once its documented type drift is coerced (asDeclared).
 */
export function recordChecker(ajv: Ajv): (stream: string, records: readonly unknown[]) => void {
  const validators = new Map<string, ValidateFunction>();
  return (stream, records) => {
    expect(records.length, stream).toBeGreaterThan(0);
    const schema = readSchema(stream);
    const validate = validators.get(stream) ?? ajv.compile(schema);
    validators.set(stream, validate);
    for (const served of records) {
      const r = asDeclared(schema, served);
      if (!validate(r)) throw new Error(`${stream}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(r).slice(0, 300)}`);
    }
  };
}
