/**
 * The primary keys a stream held at its last sync, as they are kept in its state: integer keys
 * (the common case) sorted and delta-encoded in base 36 (`"n:1,1,2s"`: a few bytes a key), any
 * other keys as a plain list of strings.
 */
export type StoredKeys = string | string[];

const INTEGER = /^(0|[1-9][0-9]{0,14})$/;
const PREFIX = 'n:';
const BASE36 = /^[0-9a-z]{1,11}$/;

export function encodeKeys(keys: Iterable<string>): StoredKeys {
  const list = [...new Set(keys)];
  if (!list.every((key) => INTEGER.test(key))) return list.sort();
  const numbers = list.map(Number).sort((a, b) => a - b);
  let previous = 0;
  const deltas = numbers.map((n) => {
    const delta = n - previous;
    previous = n;
    return delta.toString(36);
  });
  return PREFIX + deltas.join(',');
}

/** The keys of a stored set; undefined when the value is not one (a state from before key sets). */
export function decodeKeys(stored: unknown): Set<string> | undefined {
  if (Array.isArray(stored)) return stored.every((key) => typeof key === 'string') ? new Set(stored as string[]) : undefined;
  if (typeof stored !== 'string' || !stored.startsWith(PREFIX)) return undefined;
  const body = stored.slice(PREFIX.length);
  const keys = new Set<string>();
  if (body === '') return keys;
  let value = 0;
  for (const part of body.split(',')) {
    if (!BASE36.test(part)) return undefined;
    const delta = parseInt(part, 36);
    if (!Number.isSafeInteger(delta)) return undefined;
    value += delta;
    if (!Number.isSafeInteger(value)) return undefined;
    keys.add(String(value));
  }
  return keys;
}
