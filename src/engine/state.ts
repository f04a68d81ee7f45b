import { TapError } from '../errors.js';

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
  'Pass the JSON array of STATE messages from the last sync (for example [{"type":"STREAM","stream":{"stream_descriptor":{"name":"campaigns"},"stream_state":{"updated":1700000000}}}]), or [] to start fresh';
const STATE_HINT_SINGER = 'Pass the "value" of the last STATE message, e.g. {"bookmarks": {"campaigns": {"updated": 1700000000}}}, or {} to start fresh';

/** Airbyte input state: a JSON array of per-stream STATE messages. */
export function parseAirbyteState(raw: unknown, file: string): Record<string, unknown> {
  if (raw === null) return {};
  if (!Array.isArray(raw)) {
    if (raw && typeof raw === 'object' && 'bookmarks' in raw) return parseSingerState(raw, file);
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
    if (state['type'] === 'GLOBAL' || state['type'] === 'LEGACY' || 'data' in state) {
      throw new TapError('STATE_INVALID', `${where} is a ${String(state['type'] ?? 'LEGACY')} state; this tap writes per-stream (STREAM) states`, {
        hint: STATE_HINT_AIRBYTE,
      });
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
