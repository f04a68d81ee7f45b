import type { Row } from './stream.js';

/**
 * Makes a record fit its stream's declared JSON Schema before it is rendered. The API sends the
 * same field in several shapes (ids as strings or integers, a bare id where an object is
 * declared, null for an empty list); a strict target rejects a record that breaks its schema, so
 * every documented variant is normalised into the one declared shape:
 *
 * - lossless coercions only: a numeric string where a number is declared, a number or boolean
 *   where a string is declared (and any object or list, as its JSON text), "true"/"false" or 0/1
 *   where a boolean is declared, a bare scalar where an object with an `id` is declared
 *   (`{id: value}`), a single value where a list is declared (`[value]`), and null where a
 *   non-nullable list is declared (`[]`, the API's empty list);
 * - a value that fits no declared type becomes null and its field path is reported, so Airbyte
 *   can carry it in `meta.changes` and Singer can warn; the record itself is never dropped.
 *
 * Records are only copied where something changes: a record that already fits costs one typeof
 * per declared property and no allocation.
 */
export type Conformer = (record: Row, report: (field: string) => void) => Row;

/** A compiled schema node: returns the value itself when it fits, a fixed copy when not. */
type Fit = (value: unknown, report: (field: string) => void) => unknown;

const NULL = 1;
const BOOLEAN = 2;
const INTEGER = 4;
const NUMBER = 8; // includes integers
const STRING = 16;
const OBJECT = 32;
const ARRAY = 64;
const ANY = 127;

const TYPE_BITS: Record<string, number> = {
  null: NULL,
  boolean: BOOLEAN,
  integer: INTEGER,
  number: NUMBER | INTEGER,
  string: STRING,
  object: OBJECT,
  array: ARRAY,
};

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
}

/** Compiles the schema of a stream's records once; the result conforms a record per call. */
export function compileConformer(schema: object): Conformer {
  const fit = compile(schema as SchemaNode, '');
  return (record, report) => fit(record, report) as Row;
}

function compile(node: SchemaNode, path: string): Fit {
  const allowed = typeBits(node.type);
  const properties = node.properties ? Object.entries(node.properties).map(([key, child]) => ({ key, fit: compile(child, join(path, key)) })) : [];
  const extra = node.additionalProperties && typeof node.additionalProperties === 'object' ? compile(node.additionalProperties, join(path, '*')) : undefined;
  const declared = new Set(properties.map((p) => p.key));
  const items = node.items ? compile(node.items, `${path}[]`) : undefined;
  const idFit = properties.find((p) => p.key === 'id');

  const fitObject = (value: Row, report: (field: string) => void): Row => {
    let out: Row | undefined;
    for (const { key, fit } of properties) {
      const before = value[key];
      if (before === undefined) continue;
      const after = fit(before, report);
      if (after !== before) (out ??= { ...value })[key] = after;
    }
    if (extra) {
      for (const key of Object.keys(value)) {
        if (declared.has(key)) continue;
        const before = value[key];
        const after = extra(before, report);
        if (after !== before) (out ??= { ...value })[key] = after;
      }
    }
    return out ?? value;
  };

  const fitArray = (value: unknown[], report: (field: string) => void): unknown[] => {
    if (!items) return value;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const before = value[i];
      const after = items(before, report);
      if (after !== before) (out ??= value.slice())[i] = after;
    }
    return out ?? value;
  };

  const nested = properties.length > 0 || extra !== undefined;
  return (value, report) => {
    const kind = kindOf(value);
    if (kind & allowed) {
      if (kind === OBJECT && nested) return fitObject(value as Row, report);
      if (kind === ARRAY && items) return fitArray(value as unknown[], report);
      return value;
    }
    const coerced = coerce(value, kind, allowed);
    if (coerced !== NO_FIT) {
      if (allowed & OBJECT && kindOf(coerced) === OBJECT) return fitObject(coerced as Row, report);
      if (allowed & ARRAY && Array.isArray(coerced)) return fitArray(coerced, report);
      return coerced;
    }
    // A bare id where an object {id, …} is declared (msg_template_ids: [5] for [{id: 5, type}]).
    if (idFit && allowed & OBJECT && (kind & (STRING | NUMBER | INTEGER)) !== 0) return fitObject({ id: value }, report);
    if (value === null) return null; // not declared nullable, and nothing to put there instead
    report(path);
    return null;
  };
}

const NO_FIT = Symbol('no fit');

/** The lossless conversions from a value of `kind` to one of the `allowed` types, or NO_FIT. */
function coerce(value: unknown, kind: number, allowed: number): unknown {
  if (kind === STRING) {
    const text = value as string;
    if (allowed & INTEGER && /^-?\d+$/.test(text)) {
      const n = Number(text);
      if (Number.isSafeInteger(n)) return n;
    }
    if (allowed & NUMBER && /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      const n = Number(text);
      if (Number.isFinite(n)) return n;
    }
    if (allowed & BOOLEAN && (text === 'true' || text === 'false')) return text === 'true';
  } else if (kind === INTEGER || kind === NUMBER) {
    if (allowed & STRING) return String(value);
    if (allowed & BOOLEAN && (value === 0 || value === 1)) return value === 1;
  } else if (kind === BOOLEAN) {
    if (allowed & STRING) return String(value);
  } else if (kind === NULL) {
    if (allowed & ARRAY) return []; // the API's null for an empty list, where null is not declared
  } else if (allowed & STRING) {
    return JSON.stringify(value); // an object or list where text is declared keeps its content
  }
  if (allowed & ARRAY && kind !== NULL && kind !== ARRAY) return [value];
  return NO_FIT;
}

function kindOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return STRING;
    case 'number':
      return Number.isInteger(value) ? INTEGER : Number.isFinite(value) ? NUMBER : 0;
    case 'boolean':
      return BOOLEAN;
    case 'object':
      return value === null ? NULL : Array.isArray(value) ? ARRAY : OBJECT;
    default:
      return 0;
  }
}

function typeBits(type: string | string[] | undefined): number {
  if (type === undefined) return ANY;
  let bits = 0;
  for (const name of typeof type === 'string' ? [type] : type) bits |= TYPE_BITS[name] ?? 0;
  return bits;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
