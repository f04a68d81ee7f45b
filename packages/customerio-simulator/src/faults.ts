import type { FaultKind, FaultRule } from './types.js';

const KINDS: readonly FaultKind[] = ['status', 'reset', 'reset-mid-body', 'truncated', 'html', 'wrong-shape', 'delay', 'hang'];

interface ArmedRule {
  rule: FaultRule;
  regex: RegExp;
  /** Matching requests seen so far, counted per rule. */
  seen: number;
}

/**
 * The active fault rules, tried in order. A rule counts the matching requests that reach it; once
 * past its `skip` and within its `times` it fires and the request goes no further down the list.
 * A request a rule lets through (skipping or spent) is offered to the next rule, so a list reads
 * as a script: "first a 429 with Retry-After, then one without, then normal answers".
 * Faults act in front of the API, like a proxy: they are decided before authentication and rate
 * limiting, and do not use the rate-limit budget.
 */
export class FaultPlan {
  private armed: ArmedRule[] = [];

  constructor(rules: readonly FaultRule[] = []) {
    this.set(rules);
  }

  set(rules: readonly FaultRule[]): void {
    this.armed = validateFaultRules(rules).map((rule) => ({ rule, regex: new RegExp(rule.path), seen: 0 }));
  }

  pick(method: string, pathname: string): FaultRule | undefined {
    for (const a of this.armed) {
      if (a.rule.method !== undefined && a.rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!a.regex.test(pathname)) continue;
      a.seen++;
      const nth = a.seen - (a.rule.skip ?? 0);
      if (nth >= 1 && (a.rule.times === undefined || nth <= a.rule.times)) return a.rule;
    }
    return undefined;
  }
}

/** Throws a TypeError naming the first problem; returns plain copies of the rules. */
export function validateFaultRules(input: unknown): FaultRule[] {
  if (!Array.isArray(input)) throw new TypeError('faults must be an array of rules');
  return input.map((raw, i) => {
    const where = `faults[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new TypeError(`${where} must be an object`);
    const r = raw as Record<string, unknown>;
    if (typeof r.path !== 'string') throw new TypeError(`${where}.path must be a RegExp source string`);
    try {
      new RegExp(r.path);
    } catch {
      throw new TypeError(`${where}.path is not a valid RegExp: ${r.path}`);
    }
    if (typeof r.kind !== 'string' || !KINDS.includes(r.kind as FaultKind)) {
      throw new TypeError(`${where}.kind must be one of ${KINDS.join(', ')}`);
    }
    for (const key of ['status', 'delayMs', 'times', 'skip'] as const) {
      const v = r[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
        throw new TypeError(`${where}.${key} must be a non-negative integer`);
      }
    }
    if (r.status !== undefined && ((r.status as number) < 100 || (r.status as number) > 599)) {
      throw new TypeError(`${where}.status must be an HTTP status`);
    }
    if (r.method !== undefined && typeof r.method !== 'string') throw new TypeError(`${where}.method must be a string`);
    if (r.body !== undefined && typeof r.body !== 'string') throw new TypeError(`${where}.body must be a string`);
    if (r.headers !== undefined) {
      if (typeof r.headers !== 'object' || r.headers === null) throw new TypeError(`${where}.headers must be an object`);
      for (const v of Object.values(r.headers)) {
        if (typeof v !== 'string') throw new TypeError(`${where}.headers values must be strings`);
      }
    }
    return { ...(r as unknown as FaultRule), headers: r.headers ? { ...(r.headers as Record<string, string>) } : undefined };
  });
}

/** A reverse-proxy error page served with 200, as a misconfigured gateway might. */
export const HTML_PROXY_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
  '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n';

/** JSON that parses but is not a list page: no records key, and a numeric `next`. */
export const WRONG_SHAPE_BODY = '{"results":[],"next":1000}';
