import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => void;

/**
 * Ajv in strict mode with the formats, as a strict target validates: an unknown keyword, a
 * loose type or an unknown format in a schema is an error, not a warning. `airbyte_type` is the
 * one vocabulary extension the schemas use (Airbyte's well-known types).
 */
export function strictAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, strictRequired: false });
  addFormats(ajv);
  ajv.addKeyword('airbyte_type');
  return ajv;
}
