import type { Reply } from '../reply.js';

/**
 * Serialises a list page. Empty lists are `null`, never `[]` (customerio-api.md §4: live
 * `{"messages": null}`, `{"exports": null}`). Records are stringified one by one and joined, so a
 * 1,000-record page costs one pass and no intermediate wrapper object.
 */
export function listReply(key: string, records: readonly unknown[], next?: string): Reply {
  let body = `{${JSON.stringify(key)}:`;
  body += records.length === 0 ? 'null' : `[${records.map((r) => JSON.stringify(r)).join(',')}]`;
  if (next !== undefined) body += `,"next":${JSON.stringify(next)}`;
  body += '}';
  return { status: 200, headers: {}, body };
}

/**
 * The unwrapped answer of segment membership, people search and object search:
 * `{identifiers, ids, next}`, both lists null when empty (§5.6, §5.7, §5.10). `ids` holds
 * `idOf(entry)` of each identifiers entry, in the same order.
 */
export function identifiersReply<T>(identifiers: readonly T[], idOf: (entry: T) => string, next: string): Reply {
  return {
    status: 200,
    headers: {},
    body: JSON.stringify({
      identifiers: identifiers.length === 0 ? null : identifiers,
      ids: identifiers.length === 0 ? null : identifiers.map(idOf),
      next,
    }),
  };
}

export function objectReply(key: string, record: unknown): Reply {
  return { status: 200, headers: {}, body: `{${JSON.stringify(key)}:${JSON.stringify(record)}}` };
}
