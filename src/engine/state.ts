import { TapError } from '../errors.js';
import { parseIntervals } from './intervals.js';
import { decodeKeys } from './key-set.js';
import type { Row, StreamDef } from './stream.js';

/**
 * One map stream -> state value for both protocols. Values are replaced whole by the readers,
 * which only ever move their cursors forward.
 */
export class StateStore {
  private readonly values = new Map<string, unknown>();

  constructor(initial: Record<string, unknown> = {}) {
    for (const [stream, value] of Object.entries(initial)) this.values.set(stream, value);
  }

  get(stream: string): unknown {
    return this.values.get(stream);
  }

  set(stream: string, value: unknown): void {
    this.values.set(stream, value);
  }

  snapshot(): Record<string, unknown> {
    return Object.fromEntries(this.values);
  }
}

const STATE_HINT_AIRBYTE =
  'Pass the JSON array of STATE messages from the last sync (for example [{"type":"STREAM","stream":{"stream_descriptor":{"name":"<stream>"},"stream_state":{"<cursor>":1700000000}}}]), or [] to start fresh';
const STATE_HINT_SINGER = 'Pass the "value" of the last STATE message, e.g. {"bookmarks": {"<stream>": {"<cursor>": 1700000000}}}, or {} to start fresh';

export type Warn = (message: string) => void;

/**
 * Airbyte input state: a JSON array of per-stream STATE messages. Older shapes are migrated with
 * a warning: a LEGACY message's `data` map, a GLOBAL message's stream states, or a bare
 * {stream: state} object as the platform stored it before per-stream states.
 */
export function parseAirbyteState(raw: unknown, file: string, warn: Warn = () => undefined): Record<string, unknown> {
  if (raw === null) return {};
  if (!Array.isArray(raw)) {
    if (raw && typeof raw === 'object' && 'bookmarks' in raw) return parseSingerState(raw, file);
    if (raw && typeof raw === 'object' && Object.values(raw).every((v) => v === null || (typeof v === 'object' && !Array.isArray(v)))) {
      warn(`The state file ${file} is a legacy {stream: state} object; it was read as per-stream states, and the next states will be written per stream`);
      return parseSingerState({ bookmarks: raw }, file);
    }
    throw new TapError('STATE_INVALID', `The state file ${file} must be a JSON array of STATE messages, got ${kind(raw)}`, { hint: STATE_HINT_AIRBYTE });
  }
  const out: Record<string, unknown> = {};
  raw.forEach((item, index) => {
    const where = `The state file ${file}, item ${index}`;
    if (!item || typeof item !== 'object') throw new TapError('STATE_INVALID', `${where} is ${kind(item)}, not a STATE message`, { hint: STATE_HINT_AIRBYTE });
    const message = item as Record<string, unknown>;
    // Accept both the bare AirbyteStateMessage and the whole {"type":"STATE","state":…} line.
    const state = (message['type'] === 'STATE' && message['state'] && typeof message['state'] === 'object' ? message['state'] : message) as Record<
      string,
      unknown
    >;
    if (state['type'] === 'LEGACY' || (state['type'] === undefined && 'data' in state)) {
      const data = state['data'];
      if (!data || typeof data !== 'object' || Array.isArray(data)) {
        throw new TapError('STATE_INVALID', `${where} is a LEGACY state without a data object`, { hint: STATE_HINT_AIRBYTE });
      }
      warn(`${where} is a LEGACY state; its streams were migrated to per-stream states`);
      Object.assign(out, parseSingerState({ bookmarks: data }, file));
      return;
    }
    if (state['type'] === 'GLOBAL') {
      const streams = (state['global'] as Record<string, unknown> | undefined)?.['stream_states'];
      if (!Array.isArray(streams)) throw new TapError('STATE_INVALID', `${where} is a GLOBAL state without global.stream_states`, { hint: STATE_HINT_AIRBYTE });
      warn(`${where} is a GLOBAL state; its stream states were migrated to per-stream states`);
      Object.assign(out, parseAirbyteState(streams.map((s) => ({ type: 'STREAM', stream: s })), file, warn));
      return;
    }
    const stream = state['stream'] as Record<string, unknown> | undefined;
    const descriptor = stream?.['stream_descriptor'] as Record<string, unknown> | undefined;
    const name = descriptor?.['name'];
    if (typeof name !== 'string' || name === '') {
      throw new TapError('STATE_INVALID', `${where} has no stream.stream_descriptor.name`, { hint: STATE_HINT_AIRBYTE });
    }
    const value = stream?.['stream_state'];
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new TapError('STATE_INVALID', `${where}: stream_state of "${name}" must be an object, got ${kind(value)}`, { hint: STATE_HINT_AIRBYTE });
    }
    // A null stream_state means "reset": read that stream from the beginning.
    if (value !== undefined && value !== null) out[name] = value;
  });
  return out;
}

/** Singer input state: the value of the last STATE message, {"bookmarks": {...}}. */
export function parseSingerState(raw: unknown, file: string): Record<string, unknown> {
  if (raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TapError('STATE_INVALID', `The state file ${file} must be a JSON object, got ${kind(raw)}`, { hint: STATE_HINT_SINGER });
  }
  const object = raw as Record<string, unknown>;
  if (!('bookmarks' in object)) {
    if (Object.keys(object).length === 0) return {};
    throw new TapError('STATE_INVALID', `The state file ${file} has no "bookmarks" key (keys: ${Object.keys(object).slice(0, 5).join(', ')})`, {
      hint: STATE_HINT_SINGER,
    });
  }
  const bookmarks = object['bookmarks'];
  if (bookmarks === null) return {};
  if (typeof bookmarks !== 'object' || Array.isArray(bookmarks)) {
    throw new TapError('STATE_INVALID', `The state file ${file}: "bookmarks" must be an object, got ${kind(bookmarks)}`, { hint: STATE_HINT_SINGER });
  }
  const out: Record<string, unknown> = {};
  for (const [stream, value] of Object.entries(bookmarks as Record<string, unknown>)) {
    if (value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new TapError('STATE_INVALID', `The state file ${file}: bookmarks.${stream} must be an object, got ${kind(value)}`, { hint: STATE_HINT_SINGER });
    }
    out[stream] = value;
  }
  return out;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * A stream's saved state in the shape this tap reads, from the shapes older versions and
 * Airbyte's low-code connector wrote: per-partition `{"states": [{partition, cursor}]}` becomes
 * `{"partitions": {...}}`. A state without the cursor this stream keeps is dropped with a warning
 * (the stream then reads from the start of its range), never silently.
 */
export function migrateStreamState(
  def: { name: string; cursor?: { field: string; mode: string } },
  value: unknown,
  warn: Warn,
): unknown {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const state = value as Record<string, unknown>;
  if (Object.keys(state).length === 0 || !def.cursor) return value;
  const field = def.cursor.field;
  if (Array.isArray(state['states'])) {
    const partitions: Record<string, unknown> = {};
    for (const entry of state['states'] as Array<Record<string, unknown>>) {
      const partition = entry?.['partition'] as Record<string, unknown> | undefined;
      const cursor = entry?.['cursor'] as Record<string, unknown> | undefined;
      const id = partition?.['id'] ?? partition?.['parent_id'];
      if (id !== undefined && cursor && typeof cursor[field] === 'number') partitions[String(id)] = { [field]: cursor[field] };
    }
    warn(`State of ${def.name} was written per partition by another connector; ${Object.keys(partitions).length} partition bookmarks were migrated`);
    return { partitions };
  }
  if (field in state || 'partitions' in state || 'resume' in state || 'partial' in state) return value;
  warn(`State of ${def.name} has no "${field}" bookmark (keys: ${Object.keys(state).join(', ')}); it was ignored and ${def.name} is read from the start of its range`);
  return undefined;
}

/** Rejects a saved cursor of the wrong type before anything is read or written. */
export function checkStreamState(def: StreamDef, value: unknown, file: string): void {
  if (!def.cursor || value === undefined) return;
  const cursor = (value as Row)[def.cursor.field];
  if (def.cursor.mode === 'metrics') {
    if (cursor !== undefined && (typeof cursor !== 'string' || Number.isNaN(Date.parse(cursor)))) {
      throw new TapError('STATE_INVALID', `The state file ${file}: ${def.name}.${def.cursor.field} must be an RFC 3339 timestamp, got ${JSON.stringify(cursor)}`, {
        hint: `Fix or remove the ${def.name} entry to read that stream from the start of its range`,
      });
    }
    return;
  }
  if (cursor !== undefined && (typeof cursor !== 'number' || !Number.isFinite(cursor))) {
    throw new TapError('STATE_INVALID', `The state file ${file}: ${def.name}.${def.cursor.field} must be a unix timestamp (number), got ${JSON.stringify(cursor)}`, {
      hint: `Fix or remove the ${def.name} entry to read that stream from the start of its range`,
    });
  }
  checkKeySets(def, value as Row, file);
  if (def.cursor.mode !== 'server-window') return;
  const { done, high, refreshed } = value as Row;
  if (refreshed !== undefined && parseIntervals(refreshed) === undefined) {
    throw new TapError('STATE_INVALID', `The state file ${file}: ${def.name}.refreshed must be a list of [start, end] pairs of unix timestamps, got ${JSON.stringify(refreshed).slice(0, 80)}`, {
      hint: `Fix or remove ${def.name}.refreshed: without it, the lookback is read again`,
    });
  }
  if (done !== undefined && parseIntervals(done) === undefined) {
    throw new TapError('STATE_INVALID', `The state file ${file}: ${def.name}.done must be a list of [start, end] pairs of unix timestamps, got ${JSON.stringify(done).slice(0, 80)}`, {
      hint: `Fix or remove ${def.name}.done: without it, ${def.name} is read again from its ${def.cursor.field} bookmark`,
    });
  }
  if (high !== undefined && (typeof high !== 'number' || !Number.isFinite(high))) {
    throw new TapError('STATE_INVALID', `The state file ${file}: ${def.name}.high must be a unix timestamp (number), got ${JSON.stringify(high)}`, {
      hint: `Fix or remove ${def.name}.high`,
    });
  }
}

/** Stored key sets (tombstones) must decode: a damaged one is named, never read as "everything was deleted". */
function checkKeySets(def: StreamDef, value: Row, file: string): void {
  const partitions = value['partitions'];
  const places: Array<[string, unknown]> = [[def.name, value]];
  if (partitions && typeof partitions === 'object' && !Array.isArray(partitions)) {
    for (const [key, state] of Object.entries(partitions as Row)) places.push([`${def.name}.partitions.${key}`, state]);
  }
  for (const [where, state] of places) {
    const keys = state && typeof state === 'object' ? (state as Row)['keys'] : undefined;
    if (keys === undefined || decodeKeys(keys) !== undefined) continue;
    throw new TapError('STATE_INVALID', `The state file ${file}: ${where}.keys is not a key set (a list of strings or "n:" base-36 deltas), got ${JSON.stringify(keys).slice(0, 60)}`, {
      hint: `Remove ${where}.keys: the next sync stores the keys again (and emits no tombstones that once)`,
    });
  }
}
