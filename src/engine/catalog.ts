import { TapError } from '../errors.js';
import { DELETED_AT_FIELD } from '../protocol/events.js';
import { declaredSchema } from './schemas.js';
import type { Selection } from './sync.js';
import { keyFields, type StreamDef } from './stream.js';
import type { SyncMode } from './read-stream.js';

export function syncModes(def: StreamDef): SyncMode[] {
  return def.cursor ? ['full_refresh', 'incremental'] : ['full_refresh'];
}

export function airbyteStream(def: StreamDef): object {
  return {
    name: def.name,
    json_schema: declaredSchema(def, DELETED_AT_FIELD.airbyte),
    supported_sync_modes: syncModes(def),
    source_defined_cursor: def.cursor !== undefined,
    ...(def.cursor ? { default_cursor_field: [def.cursor.field] } : {}),
    source_defined_primary_key: def.primaryKey,
    is_resumable: def.cursor !== undefined || def.resumable === true,
  };
}

export function airbyteCatalog(streams: readonly StreamDef[]): object {
  return { streams: streams.map(airbyteStream) };
}

export function singerCatalog(streams: readonly StreamDef[]): object {
  return { streams: streams.map(singerStream) };
}

function singerStream(def: StreamDef): object {
  const schema = declaredSchema(def, DELETED_AT_FIELD.singer) as { properties?: Record<string, unknown> };
  const keys = keyFields(def);
  const automatic = new Set([...keys, ...(def.cursor ? [def.cursor.field] : [])]);
  return {
    tap_stream_id: def.name,
    stream: def.name,
    schema,
    key_properties: keys,
    ...(def.cursor ? { replication_key: def.cursor.field, replication_method: 'INCREMENTAL' } : { replication_method: 'FULL_TABLE' }),
    metadata: [
      {
        breadcrumb: [],
        metadata: {
          inclusion: 'available',
          'selected-by-default': def.personalData !== true,
          'table-key-properties': keys,
          ...(def.cursor ? { 'valid-replication-keys': [def.cursor.field] } : { 'forced-replication-method': 'FULL_TABLE' }),
          'schema-name': def.name,
        },
      },
      ...Object.keys(schema.properties ?? {}).map((property) => ({
        breadcrumb: ['properties', property],
        metadata: { inclusion: automatic.has(property) ? 'automatic' : 'available' },
      })),
    ],
  };
}

/** Every stream in its preferred mode (demo, --test). */
export function allSelections(streams: readonly StreamDef[]): Selection[] {
  return streams.map((def) => ({ def, mode: def.cursor ? 'incremental' : 'full_refresh' }));
}

/** Streams synced when no catalog is given (Singer): everything but personal data. */
export function defaultSelections(streams: readonly StreamDef[]): Selection[] {
  return allSelections(streams).filter(({ def }) => def.personalData !== true);
}

const AIRBYTE_HINT = 'Run discover and build the configured catalog from its streams';

/** Airbyte ConfiguredAirbyteCatalog -> selections; every problem names the item and the fix. */
export function parseAirbyteCatalog(raw: unknown, file: string, known: readonly StreamDef[]): Selection[] {
  const streams = streamList(raw, file, AIRBYTE_HINT);
  const seen = new Set<string>();
  return streams.map((item, index) => {
    const where = `The catalog ${file}, streams[${index}]`;
    const entry = asObject(item, where, AIRBYTE_HINT);
    const stream = asObject(entry['stream'], `${where}.stream`, AIRBYTE_HINT);
    const name = stream['name'];
    if (typeof name !== 'string') throw new TapError('CATALOG_INVALID', `${where}.stream.name is missing`, { hint: AIRBYTE_HINT });
    const def = knownStream(name, where, known);
    const mode = entry['sync_mode'];
    if (mode !== 'full_refresh' && mode !== 'incremental') {
      throw new TapError('CATALOG_INVALID', `${where} (${name}) has sync_mode ${JSON.stringify(mode)}`, {
        hint: `Use one of ${syncModes(def).join(', ')}`,
      });
    }
    if (!syncModes(def).includes(mode)) {
      throw new TapError('CATALOG_INVALID', `${where}: ${name} does not support sync_mode ${mode}`, { hint: 'Use full_refresh' });
    }
    if (seen.has(name)) throw new TapError('CATALOG_INVALID', `${where}: ${name} is configured twice`, { hint: 'Keep one entry per stream' });
    seen.add(name);
    return { def, mode };
  });
}

const SINGER_HINT = 'Run --discover and edit its output (metadata "selected": true) to build the catalog';

/** Singer catalog (or legacy properties) -> selections, following the Meltano SDK's selection rules. */
export function parseSingerCatalog(raw: unknown, file: string, known: readonly StreamDef[]): Selection[] {
  const streams = streamList(raw, file, SINGER_HINT);
  const selections: Selection[] = [];
  streams.forEach((item, index) => {
    const where = `The catalog ${file}, streams[${index}]`;
    const entry = asObject(item, where, SINGER_HINT);
    const name = entry['tap_stream_id'] ?? entry['stream'];
    if (typeof name !== 'string') throw new TapError('CATALOG_INVALID', `${where} has no tap_stream_id`, { hint: SINGER_HINT });
    const def = knownStream(name, where, known);
    const metadata = Array.isArray(entry['metadata']) ? (entry['metadata'] as unknown[]) : [];
    const streamMeta = metadataAt(metadata, []);
    const schema = entry['schema'] as Record<string, unknown> | undefined;
    const selected = streamMeta?.['selected'] ?? schema?.['selected'] ?? streamMeta?.['selected-by-default'] ?? (streamMeta ? false : true);
    if (selected !== true) return;
    const method = streamMeta?.['replication-method'] ?? entry['replication_method'];
    if (method !== undefined && method !== 'INCREMENTAL' && method !== 'FULL_TABLE') {
      throw new TapError('CATALOG_INVALID', `${where} (${name}) has replication-method ${JSON.stringify(method)}`, { hint: 'Use INCREMENTAL or FULL_TABLE' });
    }
    const mode: SyncMode = method === 'FULL_TABLE' || !def.cursor ? 'full_refresh' : 'incremental';
    const fields = selectedFields(metadata, def);
    selections.push(fields ? { def, mode, fields } : { def, mode });
  });
  return selections;
}

/** Top-level properties deselected in metadata are dropped; automatic ones always stay. */
function selectedFields(metadata: unknown[], def: StreamDef): Set<string> | undefined {
  const schema = declaredSchema(def, DELETED_AT_FIELD.singer) as { properties?: Record<string, unknown> };
  const all = Object.keys(schema.properties ?? {});
  let anyDeselected = false;
  const keep = new Set<string>();
  for (const property of all) {
    const meta = metadataAt(metadata, ['properties', property]);
    if (meta?.['selected'] === false && meta['inclusion'] !== 'automatic') anyDeselected = true;
    else keep.add(property);
  }
  return anyDeselected ? keep : undefined;
}

function metadataAt(metadata: unknown[], breadcrumb: string[]): Record<string, unknown> | undefined {
  for (const item of metadata) {
    const entry = item as { breadcrumb?: unknown; metadata?: unknown };
    if (
      Array.isArray(entry?.breadcrumb) &&
      entry.breadcrumb.join('\u0000') === breadcrumb.join('\u0000') &&
      entry.metadata &&
      typeof entry.metadata === 'object'
    ) {
      return entry.metadata as Record<string, unknown>;
    }
  }
  return undefined;
}

function streamList(raw: unknown, file: string, hint: string): unknown[] {
  const catalog = asObject(raw, `The catalog ${file}`, hint);
  const streams = catalog['streams'];
  if (!Array.isArray(streams)) throw new TapError('CATALOG_INVALID', `The catalog ${file} has no "streams" list`, { hint });
  return streams;
}

function asObject(value: unknown, where: string, hint: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TapError('CATALOG_INVALID', `${where} must be a JSON object`, { hint });
  }
  return value as Record<string, unknown>;
}

function knownStream(name: string, where: string, known: readonly StreamDef[]): StreamDef {
  const def = known.find((d) => d.name === name);
  if (!def) {
    throw new TapError('CATALOG_INVALID', `${where} names an unknown stream "${name}"`, {
      hint: `Known streams: ${known.map((d) => d.name).join(', ')}`,
    });
  }
  return def;
}
