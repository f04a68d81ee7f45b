import { streamByName } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/engine/stream.js';
import { runCli } from './cli.js';

export type SyncMode = 'incremental' | 'full_refresh';

/** The stream definition of a name a test uses; an unknown name is a broken test. */
export function streamDef(name: string): StreamDef {
  const def = streamByName(name);
  if (!def) throw new Error(`no stream ${name}`);
  return def;
}

/** The mode a user would pick: incremental wherever the stream has a cursor. */
export function preferredMode(def: StreamDef): SyncMode {
  return def.cursor ? 'incremental' : 'full_refresh';
}

/** Each stream named, in its preferred sync mode, as configuredCatalog takes them. */
export function preferredModes(names: readonly string[]): Record<string, SyncMode> {
  return Object.fromEntries(names.map((name) => [name, preferredMode(streamDef(name))]));
}

/**
 * The eight streams of the first release: a deliberate subset that the protocol suites and the
 * rate-limit read sync whole, a fraction of the catalog's requests, that still has every kind of
 * read (client-filtered lists, a parent's children, server windows, a feed, a search, memberships).
 */
export const CORE_STREAMS = ['campaigns', 'campaigns_actions', 'newsletters', 'segments', 'segment_memberships', 'messages', 'activities', 'people'] as const;

/** The core streams, each in its preferred sync mode (from its definition). */
export const CORE_STREAM_MODES: Record<string, SyncMode> = preferredModes(CORE_STREAMS);

/** Builds a ConfiguredAirbyteCatalog from the tap's own discover output. */
export async function configuredCatalog(configPath: string, streams: Record<string, SyncMode>): Promise<object> {
  const discovered = await runCli(['discover', '--config', configPath]);
  const catalog = discovered.messages.find((m) => m['type'] === 'CATALOG');
  if (!catalog) throw new Error(`discover printed no catalog: ${discovered.stderr}`);
  const all = catalog['catalog']['streams'] as Array<Record<string, any>>;
  return {
    streams: Object.entries(streams).map(([name, mode]) => {
      const stream = all.find((s) => s['name'] === name);
      if (!stream) throw new Error(`unknown stream ${name}`);
      return {
        stream,
        sync_mode: mode,
        destination_sync_mode: mode === 'incremental' ? 'append_dedup' : 'overwrite',
        ...(mode === 'incremental' ? { cursor_field: stream['default_cursor_field'] } : {}),
        primary_key: stream['source_defined_primary_key'],
      };
    }),
  };
}

/** The final STATE of each stream, as the platform passes them to the next read. */
export function finalStates(messages: Array<Record<string, any>>): object[] {
  const last = new Map<string, object>();
  for (const m of messages) if (m['type'] === 'STATE') last.set(m['state']['stream']['stream_descriptor']['name'], m['state']);
  return [...last.values()];
}
