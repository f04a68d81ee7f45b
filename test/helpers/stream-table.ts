import { syncModes } from '../../src/engine/catalog.js';
import type { StreamDef } from '../../src/engine/stream.js';
import { ALL_STREAMS } from '../../src/streams/index.js';

function endpoint(def: StreamDef): string {
  const pagination = def.pagination;
  if (pagination.kind === 'search-then-hydrate') {
    // A hydrate request is built from ids: ask it for placeholders to print its path.
    const hydrate = pagination.hydrate.request(['{object_id}'], { id: '{id}' });
    const read = `POST ${pagination.search.path} search, then ${hydrate.method ?? 'GET'} ${decodeURIComponent(hydrate.path)}`;
    return def.cursor?.mode === 'change-feed' ? `${read}; changes from GET ${def.cursor.feed.path}` : read;
  }
  if (typeof def.path !== 'string') throw new Error(`${def.name}: a path function where a template would do`);
  const path = def.path;
  const notes: string[] = [];
  if (def.cursor?.mode === 'metrics') notes.push(def.cursor.format.label);
  if (def.cursor?.mode === 'server-window') notes.push(`${def.cursor.startParam}/${def.cursor.endParam} windows`);
  if (def.cursor?.mode === 'feed') notes.push('newest first');
  if (def.fixedPartitions) notes.push(`per ${def.fixedPartitions.rows.map((r) => def.fixedPartitions?.key(r)).join(', ')}`);
  return `${def.method ?? 'GET'} ${path}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** The README's stream table, row by row, from the definitions themselves. */
export function streamTableRows(): string[] {
  return ALL_STREAMS.map((def) => {
    const key = def.primaryKey.map((path) => `\`${path.join('.')}\``).join(', ');
    const cursor = def.cursor ? `\`${def.cursor.field}\`` : '';
    const modes = syncModes(def).join(', ') + (def.resumable ? ' (resumable)' : '');
    return `| \`${def.name}\` | ${key} | ${cursor} | ${modes} | \`${endpoint(def)}\` | ${def.history ?? 'every record the API lists'} | ${def.personalData ? 'yes' : 'no'} |`;
  });
}

export const STREAM_TABLE_HEADER = [
  '| stream | primary key | cursor | sync modes | endpoint | history (what a first sync reaches) | personal data |',
  '|---|---|---|---|---|---|---|',
];
