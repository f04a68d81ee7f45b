import { asTapError, TapError } from '../errors.js';
import type { TapEvent } from '../protocol/events.js';
import type { SyncContext } from './context.js';
import { merge } from './merge.js';
import { readStream, type SyncMode } from './read-stream.js';
import { conformerOf, declaredSchema } from './schemas.js';
import type { StateStore } from './state.js';
import { mapRecord, mapSchema, type StreamMap } from './stream-maps.js';
import { keyFields, keyText, type Row, type StreamDef } from './stream.js';

export interface Selection {
  def: StreamDef;
  mode: SyncMode;
  /** Top-level properties to emit; undefined = all. Key and cursor fields are always kept. */
  fields?: ReadonlySet<string>;
  /** The stream map from the config, applied last. */
  map?: StreamMap;
}

/**
 * Runs every selected stream (several at once, one shared rate limit) and says what happened
 * as protocol-neutral events. Per stream: STARTED, schema, RUNNING, records and states in order,
 * then COMPLETE, or an error and INCOMPLETE; one failing stream does not stop the others.
 */
export function runSync(ctx: SyncContext, selections: Selection[], state: StateStore): AsyncGenerator<TapEvent> {
  const shared = withSharedMetrics(ctx, selections);
  return merge(
    selections.map((selection) => streamEvents(shared, selection, state)),
    ctx.concurrency.streams,
  );
}

/** A parent metrics stream read beside streams that roll up to it answers both from one request per entity. */
function withSharedMetrics(ctx: SyncContext, selections: Selection[]): SyncContext {
  const selected = new Set(selections.map(({ def }) => def.name));
  const parents = new Set<string>();
  for (const { def } of selections) {
    const parent = def.cursor?.mode === 'metrics' ? def.cursor.rollsUpTo?.stream.name : undefined;
    if (parent !== undefined && selected.has(parent)) parents.add(parent);
  }
  return parents.size === 0 ? ctx : { ...ctx, sharedMetrics: { streams: parents, answers: new Map() } };
}

async function* streamEvents(ctx: SyncContext, selection: Selection, state: StateStore): AsyncGenerator<TapEvent> {
  const { def, mode, map } = selection;
  const stream = def.name;
  // An alias renames what downstream sees; state keeps the stream's own name.
  const shownAs = map?.alias ?? stream;
  yield { kind: 'status', stream, status: 'STARTED' };
  yield {
    kind: 'schema',
    stream: shownAs,
    schema: map ? mapSchema(map, declaredSchema(def, ctx.deletes?.field)) : declaredSchema(def, ctx.deletes?.field),
    keyProperties: keyFields(def),
    bookmarkProperties: mode === 'incremental' && def.cursor ? [def.cursor.field] : [],
  };
  let running = false;
  let uncounted = 0;
  let statesEmitted = 0;
  let lastState: string | undefined;
  const project = projector(selection, ctx.deletes?.field);
  const fresh = def.dedupe ? firstSeen(def) : undefined;
  const conform = conformerOf(def);
  const nulledNow: string[] = []; // fields of the record being conformed that fit no declared type
  const reportNulled = (field: string): void => {
    nulledNow.push(field);
  };
  const stateEvent = (value: Record<string, unknown>): TapEvent => {
    state.set(stream, value);
    lastState = JSON.stringify(value);
    statesEmitted++;
    const event: TapEvent = { kind: 'state', stream, value, recordCount: uncounted, bookmarks: state.snapshot() };
    uncounted = 0;
    return event;
  };
  const limit = ctx.recordLimit;
  let emitted = 0;
  try {
    for await (const chunk of readStream(ctx, def, mode, state.get(stream))) {
      // A stop drops what is still arriving: nothing is emitted after it, so the last STATE stands.
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if ('records' in chunk) {
        const records: Row[] = [];
        let changes: (readonly string[] | undefined)[] | undefined;
        for (const raw of chunk.records) {
          nulledNow.length = 0;
          // Conformed first, so keys are compared, mapped and projected in their declared types.
          let record: Row | undefined = conform(raw, reportNulled);
          if (fresh && !fresh(record)) continue;
          // The map sees the whole record (a hash may read a deselected field); selection comes after.
          if (map) record = mapRecord(map, record);
          if (record === undefined) continue;
          if (project) record = project(record);
          records.push(record);
          if (nulledNow.length > 0) (changes ??= [])[records.length - 1] = nulledNow.slice();
          if (limit !== undefined && emitted + records.length >= limit) break;
        }
        if (records.length === 0) continue;
        emitted += records.length;
        if (!running) {
          running = true;
          yield { kind: 'status', stream, status: 'RUNNING' };
        }
        uncounted += records.length;
        yield changes ? { kind: 'records', stream: shownAs, records, changes } : { kind: 'records', stream: shownAs, records };
        if (limit !== undefined && emitted >= limit) break;
      } else if (limit !== undefined) {
        continue; // a sample covers no checkpoint
      } else if (uncounted > 0 || JSON.stringify(chunk.checkpoint) !== lastState) {
        yield stateEvent(chunk.checkpoint);
      }
    }
    if (!running) yield { kind: 'status', stream, status: 'RUNNING' };
    // Every stream ends on a state covering its last record, even when nothing changed.
    if (limit === undefined && (statesEmitted === 0 || uncounted > 0)) yield stateEvent((state.get(stream) as Record<string, unknown> | undefined) ?? {});
    yield { kind: 'status', stream, status: 'COMPLETE' };
  } catch (error) {
    // Whatever a stop made a request throw (an abort, a reset socket), the stop is the reason.
    const failure = explain(asTapError(ctx.signal.aborted ? ctx.signal.reason : error), def);
    // Records already out since the last checkpoint get a state too: the last safe one, which
    // re-reads them on resume (at least once) and tells a target how many came.
    if (limit === undefined && uncounted > 0) yield stateEvent((state.get(stream) as Record<string, unknown> | undefined) ?? {});
    // A stop is one cause for every stream: the sync reports it once, at the end.
    if (!ctx.signal.aborted) yield { kind: 'error', error: failure, stream };
    yield { kind: 'status', stream, status: 'INCOMPLETE' };
  }
}

/** A 403 says which area of the account the key needs (the stream's `scope`, in the API's words). */
function explain(error: TapError, def: StreamDef): TapError {
  if (error.code !== 'FORBIDDEN') return error.withStream(def.name);
  return new TapError('FORBIDDEN', `The App API key lacks access to ${def.scope}: ${error.message}`, {
    hint: error.hint,
    stream: def.name,
    status: 403,
  });
}

/** For streams the API may repeat records in: true the first time a primary key is seen. */
function firstSeen(def: StreamDef): (record: Row) => boolean {
  const seen = new Set<string>();
  const fields = keyFields(def);
  return (record) => {
    const key = keyText(fields, record) ?? '';
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

function projector(selection: Selection, deletedAt: string | undefined): ((record: Row) => Row) | undefined {
  const fields = selection.fields;
  if (!fields) return undefined;
  const keep = new Set(fields);
  for (const { name } of selection.map?.computed ?? []) keep.add(name);
  for (const field of keyFields(selection.def)) keep.add(field);
  if (selection.def.cursor) keep.add(selection.def.cursor.field);
  if (deletedAt !== undefined) keep.add(deletedAt);
  return (record) => {
    const out: Row = {};
    for (const key of Object.keys(record)) if (keep.has(key)) out[key] = record[key];
    return out;
  };
}
