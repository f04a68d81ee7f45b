import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../spec.js';
import { compileConformer, type Conformer } from './conform.js';
import type { StreamDef } from './stream.js';

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

/** The stream's conformance step (see conform.ts), compiled once per schema file. */
export function conformerOf(def: StreamDef): Conformer {
  let conformer = conformers.get(def.schemaFile);
  if (!conformer) {
    conformer = compileConformer(loadSchema(def));
    conformers.set(def.schemaFile, conformer);
  }
  return conformer;
}
