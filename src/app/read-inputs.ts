import type { TapConfig } from '../config.js';
import { defaultSelections, parseAirbyteCatalog, parseSingerCatalog } from '../engine/catalog.js';
import { loadSchema } from '../engine/schemas.js';
import { keyFields } from '../engine/stream.js';
import { readerFor } from '../engine/read-stream.js';
import { loadStreamState, parseAirbyteState, parseSingerState } from '../engine/state.js';
import { parseStreamMaps } from '../engine/stream-maps.js';
import type { Selection } from '../engine/sync.js';
import { TapError } from '../errors.js';
import { readJsonFile } from '../json-file.js';
import { ALL_STREAMS } from '../streams/index.js';
import type { Session } from './session.js';

export interface ReadPaths {
  config: string | readonly string[];
  catalog?: string;
  state?: string;
}

export interface ReadInputs {
  config: TapConfig;
  selections: Selection[];
  state: Record<string, unknown>;
}

/** Reads and checks every input file before a single line is written. */
export function loadReadInputs(session: Session, paths: ReadPaths): ReadInputs {
  const config = session.loadConfig(paths.config);
  const catalogRole = { code: 'CATALOG_INVALID', what: 'catalog file', flag: '--catalog' } as const;
  let selections: Selection[];
  if (paths.catalog !== undefined) {
    const raw = readJsonFile(paths.catalog, catalogRole);
    selections = session.protocol === 'airbyte' ? parseAirbyteCatalog(raw, paths.catalog, ALL_STREAMS) : parseSingerCatalog(raw, paths.catalog, ALL_STREAMS);
  } else if (session.protocol === 'airbyte') {
    throw new TapError('USAGE', 'read needs --catalog', { hint: 'Pass the configured catalog: read --config C --catalog K' });
  } else {
    selections = defaultSelections(ALL_STREAMS);
  }
  selections = withStreamMaps(selections, config.stream_maps, session.protocol === 'singer');
  let state: Record<string, unknown> = {};
  if (paths.state !== undefined) {
    const raw = readJsonFile(paths.state, { code: 'STATE_INVALID', what: 'state file', flag: '--state' });
    const warn = (message: string): void => session.logger.log('WARN', message);
    state = session.protocol === 'airbyte' ? parseAirbyteState(raw, paths.state, warn) : parseSingerState(raw, paths.state);
    for (const { def, mode } of selections) {
      const loaded = loadStreamState(readerFor(def, mode), def, state[def.name], { file: paths.state, warn });
      if (loaded === undefined) delete state[def.name];
      else state[def.name] = loaded;
    }
    const unknown = Object.keys(state).filter((name) => !selections.some((s) => s.def.name === name));
    if (unknown.length > 0) session.logger.log('INFO', `State for streams not being synced is kept as is: ${unknown.join(', ')}`);
  }
  return { config, selections, state };
}

/** Attaches the config's stream maps to the selected streams; a map outside the subset stops here. */
function withStreamMaps(selections: Selection[], raw: unknown, allowAlias: boolean): Selection[] {
  if (raw === undefined || raw === null) return selections;
  const known = new Map(
    ALL_STREAMS.map((def) => [
      def.name,
      {
        properties: Object.keys((loadSchema(def) as { properties?: object }).properties ?? {}),
        keys: keyFields(def),
      },
    ]),
  );
  const maps = parseStreamMaps(raw, known, allowAlias, 'stream_maps');
  return selections.map((selection) => {
    const map = maps.get(selection.def.name);
    return map ? { ...selection, map } : selection;
  });
}
