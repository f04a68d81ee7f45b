import { runCli } from './cli.js';

/** The eight streams of the first release, each in its preferred sync mode. */
export const CORE_STREAM_MODES = {
  campaigns: 'incremental',
  campaigns_actions: 'incremental',
  newsletters: 'incremental',
  segments: 'incremental',
  segment_memberships: 'full_refresh',
  messages: 'incremental',
  activities: 'incremental',
  people: 'full_refresh',
} as const;

/** Builds a ConfiguredAirbyteCatalog from the tap's own discover output. */
export async function configuredCatalog(configPath: string, streams: Record<string, 'incremental' | 'full_refresh'>): Promise<object> {
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
