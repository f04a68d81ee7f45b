import { createHash } from 'node:crypto';
import { TapError } from '../errors.js';
import type { Row } from './stream.js';

/**
 * A subset of the Meltano SDK's stream maps: drop a property (null), rename the stream
 * (`__alias__`), add or replace a property with md5(x) / sha256(x) / x of another one, and keep
 * only records matching one comparison (`__filter__`). Anything else is refused at startup.
 */
export interface StreamMap {
  alias?: string;
  drop: Set<string>;
  computed: Array<{ name: string; fn: 'md5' | 'sha256' | 'copy'; source: string }>;
  filter?: (record: Row) => boolean;
}

const HINT =
  'Supported: "prop": null, "prop": "md5(other)" | "sha256(other)" | "other", "__alias__": "name", "__filter__": "prop == \'value\'" (==, !=, <, <=, >, >=)';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `setting` is the config key the maps came from, so every problem names where to fix it. */
export function parseStreamMaps(
  raw: unknown,
  streams: ReadonlyMap<string, { properties: string[]; keys: string[] }>,
  allowAlias: boolean,
  setting: string,
): Map<string, StreamMap> {
  const maps = new Map<string, StreamMap>();
  if (raw === undefined || raw === null) return maps;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${setting} must be an object keyed by stream name`);
  for (const [stream, spec] of Object.entries(raw as Record<string, unknown>)) {
    const where = `${setting}.${stream}`;
    const known = streams.get(stream);
    if (!known) throw invalid(`${where} names an unknown stream (wildcards are not supported)`, `Use one of: ${[...streams.keys()].join(', ')}`);
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw invalid(`${where} must be an object of property rules (removing whole streams is done by deselecting them)`);
    }
    const map: StreamMap = { drop: new Set(), computed: [] };
    for (const [key, rule] of Object.entries(spec as Record<string, unknown>)) {
      const at = `${where}.${key}`;
      if (key === '__alias__') {
        if (!allowAlias) throw invalid(`${at}: a stream cannot be renamed in Airbyte mode`, 'Rename it in the Airbyte connection instead');
        if (typeof rule !== 'string' || !IDENTIFIER.test(rule)) throw invalid(`${at} must be a stream name`);
        map.alias = rule;
      } else if (key === '__filter__') {
        if (typeof rule !== 'string') throw invalid(`${at} must be a comparison string`);
        map.filter = parseFilter(rule, at, known.properties);
      } else if (key.startsWith('__')) {
        throw invalid(`${at} is not supported`);
      } else if (rule === null) {
        if (known.keys.includes(key)) throw invalid(`${at}: ${key} is part of the primary key and cannot be dropped`);
        map.drop.add(key);
      } else if (typeof rule === 'string') {
        map.computed.push({ name: key, ...parseExpression(rule, at, known.properties) });
      } else {
        throw invalid(`${at} must be null or an expression string`);
      }
    }
    maps.set(stream, map);
  }
  return maps;
}

function parseExpression(text: string, at: string, properties: string[]): { fn: 'md5' | 'sha256' | 'copy'; source: string } {
  const match = /^\s*(?:(md5|sha256)\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))\s*$/.exec(text);
  if (!match) throw invalid(`${at}: "${text}" is not a supported expression`);
  const source = (match[2] ?? match[3]) as string;
  if (!properties.includes(source)) throw invalid(`${at}: "${source}" is not a property of this stream`);
  return { fn: (match[1] as 'md5' | 'sha256' | undefined) ?? 'copy', source };
}

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';

function parseFilter(text: string, at: string, properties: string[]): (record: Row) => boolean {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$/.exec(text);
  if (!match) throw invalid(`${at}: "${text}" is not a simple comparison`);
  const field = match[1] as string;
  const op = match[2] as Op;
  if (!properties.includes(field)) throw invalid(`${at}: "${field}" is not a property of this stream`);
  const value = parseLiteral(match[3] as string, at);
  return (record) => compare(record[field], op, value);
}

function parseLiteral(text: string, at: string): string | number | boolean | null {
  if (/^'.*'$/.test(text) || /^".*"$/.test(text)) return text.slice(1, -1);
  if (text === 'True' || text === 'true') return true;
  if (text === 'False' || text === 'false') return false;
  if (text === 'None' || text === 'null') return null;
  const number = Number(text);
  if (text.trim() !== '' && Number.isFinite(number)) return number;
  throw invalid(`${at}: ${text} is not a literal (quote strings)`);
}

function compare(left: unknown, op: Op, right: string | number | boolean | null): boolean {
  switch (op) {
    case '==':
      return left === right || (left === undefined && right === null);
    case '!=':
      return !(left === right || (left === undefined && right === null));
    default: {
      if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) return false;
      const l = left as number | string;
      const r = right as number | string;
      return op === '<' ? l < r : op === '<=' ? l <= r : op === '>' ? l > r : l >= r;
    }
  }
}

function invalid(message: string, hint = HINT): TapError {
  return new TapError('CONFIG_INVALID', `Stream map ${message}`, { hint });
}

/** The record as the map says, or undefined when the filter drops it. */
export function mapRecord(map: StreamMap, record: Row): Row | undefined {
  if (map.filter && !map.filter(record)) return undefined;
  let out = record;
  if (map.computed.length > 0 || map.drop.size > 0) {
    out = { ...record };
    for (const { name, fn, source } of map.computed) {
      const value = record[source];
      out[name] = fn === 'copy' || value === null || value === undefined ? (value ?? null) : createHash(fn).update(String(value)).digest('hex');
    }
    for (const name of map.drop) delete out[name];
  }
  return out;
}

/** The schema of mapped records: dropped properties gone, hashes are strings, copies keep their type. */
export function mapSchema(map: StreamMap, schema: object): object {
  const original = schema as { properties?: Record<string, unknown> };
  const properties: Record<string, unknown> = { ...original.properties };
  for (const { name, fn, source } of map.computed) {
    properties[name] = fn === 'copy' ? original.properties?.[source] : { type: ['string', 'null'] };
  }
  for (const name of map.drop) delete properties[name];
  const required = (schema as { required?: string[] }).required?.filter((name) => !map.drop.has(name));
  return { ...schema, properties, ...(required ? { required } : {}) };
}
