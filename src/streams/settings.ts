import type { TapConfig } from '../config.js';
import type { Resolution } from '../engine/buckets.js';
import type { ReadRange } from '../engine/context.js';
import type { Selection } from '../engine/sync.js';
import type { StreamDef } from '../engine/stream.js';
import { objectRelationships } from './object-relationships.js';
import { objects } from './objects.js';
import { people } from './people.js';
import { peopleExport, type WorkspaceCounts } from './people-export.js';

const DAY = 86_400;

/** start_date and end_date as the engine reads them: unix seconds. */
export function readRange(config: TapConfig): ReadRange {
  const seconds = (date: string): number => Math.floor(Date.parse(date) / 1000);
  return {
    ...(config.start_date === undefined ? {} : { start: seconds(config.start_date) }),
    ...(config.end_date === undefined ? {} : { end: seconds(config.end_date) }),
  };
}

/** What the engine takes from the config: the read range, the bucket size, how often to checkpoint. */
export function engineSettings(config: TapConfig): { range: ReadRange; bucket: Resolution; checkpoints: { records: number; seconds: number } } {
  return {
    range: readRange(config),
    bucket: config.metrics_resolution,
    checkpoints: { records: config.state_every_records, seconds: config.state_every_seconds },
  };
}

/** A stream with the values the config sets for it: the lookbacks of messages and of the metrics, how people and objects are read. */
export function withSettings(def: StreamDef, config: TapConfig, counts: WorkspaceCounts): StreamDef {
  const cursor = def.cursor;
  if (def.name === people.name) {
    const every = cursor?.mode === 'change-feed' ? { cursor: { ...cursor, fullEverySeconds: config.people_full_every_days * DAY } } : {};
    if (config.people_source === 'search') return { ...def, ...every };
    const source = {
      source: config.people_source,
      threshold: config.people_export_threshold,
      attributes: config.people_export_attributes,
      timeoutMinutes: config.export_timeout_minutes,
      counts,
    };
    return { ...def, ...every, bulk: peopleExport(source) };
  }
  if ((def.name === objects.name || def.name === objectRelationships.name) && cursor?.mode === 'change-feed')
    return { ...def, cursor: { ...cursor, fullEverySeconds: config.objects_full_every_days * DAY } };
  if (cursor?.mode === 'server-window') return { ...def, cursor: { ...cursor, lookbackSeconds: config.messages_lookback_days * DAY } };
  if (cursor?.mode === 'metrics') {
    const lookbackSeconds = config.metrics_lookback_days * DAY;
    const rollsUpTo = cursor.rollsUpTo && { ...cursor.rollsUpTo, childrenEverySeconds: config.metrics_full_every_hours * 3600 };
    return { ...def, cursor: { ...cursor, lookbackSeconds, ...(rollsUpTo ? { rollsUpTo } : {}) } };
  }
  return def;
}

export function configuredSelections(selections: readonly Selection[], config: TapConfig, counts: WorkspaceCounts): Selection[] {
  return selections.map((selection) => ({ ...selection, def: withSettings(selection.def, config, counts) }));
}
