import { TapError } from '../errors.js';
import type { Reader, StateSource } from './read/reader.js';
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
      Object.assign(
        out,
        parseAirbyteState(
          streams.map((s) => ({ type: 'STREAM', stream: s })),
          file,
          warn,
        ),
      );
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
 * A stream's saved state as its reader will read it: the reader migrates the shapes older
 * versions and other connectors wrote, refuses a damaged one (STATE_INVALID, naming the field and
 * the fix) and drops, with a warning, one that holds none of its fields. Undefined: read from the
 * start of the range.
 */
export function loadStreamState(reader: Reader, def: StreamDef, value: unknown, source: StateSource): Row | undefined {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (Object.keys(value).length === 0) return value as Row;
  return reader.loadState(def, value as Row, source);
}
