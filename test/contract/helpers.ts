import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { DEMO_API_KEY, MESSAGE_HISTORY_DAYS, SCALES, startSimulator, type Simulator, type SimulatorOptions } from 'customerio-simulator';
import { expect } from 'vitest';

/**
 * Helpers of the contract tests: what the simulator package serves, held against what the tap
 * declares (its schema files, its stream definitions, its `simulate` command). The simulator
 * cannot import the tap, so these checks live on the tap's side; the HTTP helpers are the tap's
 * own because the package's test helpers are not part of its API.
 */

/** A fixed clock (2025-10-09) so every run sees the same workspace. */
export const NOW = 1_760_000_000;
export const DAY = 86_400;

/**
 * Messages a small workspace (what start() gives) holds at NOW: the yearly rate over the message
 * history, from the scale definitions, so a simulator that serves another number fails.
 */
export const SMALL_MESSAGES = Math.round((SCALES.small.messagesPerYear * MESSAGE_HISTORY_DAYS) / 365);

/** A small simulator without rate limiting, unless the test says otherwise. */
export function start(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ now: NOW, rateLimit: 0, ...opts });
}

export async function call<T = Record<string, unknown>>(
  sim: Simulator,
  path: string,
  init: { body?: unknown } = {},
): Promise<{ status: number; text: string; json: T }> {
  const res = await fetch(sim.url + path, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${DEMO_API_KEY}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as T };
}

/** Follows `next` → `start` until `next` is "", failing on a repeated token or a non-200. */
export async function walk<R>(sim: Simulator, path: string, read: (page: Record<string, unknown>) => R[] | null): Promise<{ records: R[] }> {
  const records: R[] = [];
  const tokens = new Set<string>();
  let start: string | undefined;
  for (;;) {
    const url = start === undefined ? path : `${path}${path.includes('?') ? '&' : '?'}start=${encodeURIComponent(start)}`;
    const page = await call(sim, url);
    expect(page.status, `${url}: ${page.text.slice(0, 200)}`).toBe(200);
    records.push(...(read(page.json) ?? []));
    const next = page.json.next;
    expect(typeof next).toBe('string');
    if (next === '') return { records };
    expect(tokens.has(next as string), `token ${String(next)} served twice`).toBe(false);
    tokens.add(next as string);
    start = next as string;
  }
}

/** The records under `key` of a page: an array, or null for an empty list. */
export function list<R>(key: string): (page: Record<string, unknown>) => R[] | null {
  return (page) => {
    expect(key in page, `records key ${key}`).toBe(true);
    const v = page[key];
    expect(v === null || Array.isArray(v)).toBe(true);
    return v as R[] | null;
  };
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
