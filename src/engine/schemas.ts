import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../spec.js';
import { compileConformer, type Conformer } from './conform.js';
import { tracksDeletes, type StreamDef } from './stream.js';

const cache = new Map<string, object>();
const conformers = new Map<string, Conformer>();

/** The JSON Schema file of a stream (schemas/<stream>.json), read once. */
export function loadSchema(def: StreamDef): object {
  let schema = cache.get(def.schemaFile);
  if (!schema) {
    schema = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schemas', def.schemaFile), 'utf8')) as object;
    cache.set(def.schemaFile, schema);
  }
  return schema;
}

/**
 * The schema a stream declares: its file, plus the nullable tombstone column (`deletedAt`, the
 * protocol's name for it) on the streams that emit tombstones.
 */
export function declaredSchema(def: StreamDef, deletedAt: string | undefined): object {
  const schema = loadSchema(def) as { properties?: Record<string, unknown> };
  if (deletedAt === undefined || !tracksDeletes(def)) return schema;
  const key = `${def.schemaFile}#${deletedAt}`;
  let declared = cache.get(key);
  if (!declared) {
    declared = { ...schema, properties: { ...schema.properties, [deletedAt]: { type: ['null', 'string'], format: 'date-time' } } };
    cache.set(key, declared);
  }
  return declared;
}

/** The stream's conformance step (see conform.ts), compiled once per schema file. */
export function conformerOf(def: StreamDef): Conformer {
  let conformer = conformers.get(def.schemaFile);
  if (!conformer) {
    conformer = compileConformer(loadSchema(def));
    conformers.set(def.schemaFile, conformer);
  }
  return conformer;
}
