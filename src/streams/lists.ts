import { defineStream, type StreamDef } from '../engine/stream.js';

/** A small unpaged list (workspace settings): one call, no cursor. */
export function unpagedList(name: string, path: string, records: string, scope: string, primaryKey: string[][] = [['id']]): StreamDef {
  return defineStream({ name, scope, path, records, primaryKey, pagination: { kind: 'none' } });
}

/** An unpaged list with an `updated_at` the API cannot filter on: incremental by a client-side filter. */
export function updatedList(name: string, path: string, records: string, scope: string, primaryKey: string[][] = [['id']]): StreamDef {
  return defineStream({
    name,
    scope,
    path,
    records,
    primaryKey,
    cursor: { mode: 'client-filter', field: 'updated_at', lookbackSeconds: 3600 },
    pagination: { kind: 'none' },
  });
}
