#!/usr/bin/env node
// A small Singer target for tests: reads a tap's stdout on stdin, fails (exit 1) on a RECORD
// before its SCHEMA, a record that does not validate, or a line that is not a Singer message;
// at the end prints the last STATE value, as targets do, and a summary on stderr.
// With `--table FILE` it is also a loading target: rows are upserted by key_properties into the
// table kept in FILE (JSON, {stream: {key: row}}) across runs, and a RECORD whose
// `_sdc_deleted_at` is set deletes its row (a hard-deleting target).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats.default ?? addFormats)(ajv);
const validators = new Map();
const tableFile = process.argv.includes('--table') ? process.argv[process.argv.indexOf('--table') + 1] : undefined;
const tables = tableFile && existsSync(tableFile) ? JSON.parse(readFileSync(tableFile, 'utf8')) : {};
const keyProperties = new Map();
const counts = {};
let state = null;
let problems = 0;
const fail = (text) => {
  problems++;
  process.stderr.write(`target: ${text}\n`);
};

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    fail(`not JSON: ${line.slice(0, 120)}`);
    continue;
  }
  switch (message.type) {
    case 'SCHEMA':
      if (!Array.isArray(message.key_properties)) fail(`SCHEMA of ${message.stream} without key_properties`);
      validators.set(message.stream, ajv.compile(message.schema));
      keyProperties.set(message.stream, message.key_properties);
      break;
    case 'RECORD': {
      const validate = validators.get(message.stream);
      if (!validate) {
        fail(`RECORD of ${message.stream} before its SCHEMA`);
        break;
      }
      if (!validate(message.record)) fail(`invalid ${message.stream} record: ${ajv.errorsText(validate.errors)}`);
      counts[message.stream] = (counts[message.stream] ?? 0) + 1;
      if (tableFile) {
        const table = (tables[message.stream] ??= {});
        const key = (keyProperties.get(message.stream) ?? []).map((k) => String(message.record[k])).join('|');
        if (message.record._sdc_deleted_at) delete table[key];
        else table[key] = message.record;
      }
      break;
    }
    case 'STATE':
      if (!('value' in message)) fail('STATE without value');
      state = message.value;
      break;
    case 'ACTIVATE_VERSION':
      break;
    default:
      fail(`unknown message type ${message.type}`);
  }
}
process.stderr.write(`target: ${JSON.stringify(counts)}\n`);
if (tableFile) writeFileSync(tableFile, JSON.stringify(tables));
if (state !== null) process.stdout.write(`${JSON.stringify(state)}\n`);
process.exit(problems > 0 ? 1 : 0);
