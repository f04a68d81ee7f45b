import { decodeKeys } from '../key-set.js';
import { isPartitioned, type Row, type StreamDef } from '../stream.js';
import type { StateSource } from './reader.js';
import { checkKeySet, checkObjectField, checkStringList, checkUnixField, fixOrRemove, holdsAny, partitionStates } from './state-fields.js';

/** Where the feed has been read to: every entry before `at`, and those at `at` whose ids are in `boundary`. */
export interface Bookmark {
  at: number;
  boundary: string[];
}

/**
 * The stream's bookmark, and the walks (kinds of change, by query) that stand behind it. Each walk
 * is a cursor of its own: a walk may pass the head of the feed before a change lands there that
 * another walk, begun later, reads, and the later one's newest entry must not move the earlier
 * one's bookmark past what it never saw. A walk not listed stands at the stream's bookmark.
 */
export interface Position extends Bookmark {
  walks: Record<string, Bookmark>;
}

/** A full read under way: when it began, its inner reader's state, the keys it emitted (undefined: not known). */
export interface FullRun {
  started: number | undefined;
  state: Row;
  keys: Set<string> | undefined;
}

/** An incremental read killed while reading records again: the bookmark it will end on, and the keys (with their times) still to read. */
export interface Pending {
  bookmark: Position;
  left: Map<string, number>;
}

export function isObject(value: unknown): value is Row {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const isUnix = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

export function bookmarkOf(state: Row, field: string): Position | undefined {
  const at = state[field];
  if (!isUnix(at)) return undefined;
  const walks: Record<string, Bookmark> = {};
  for (const [key, value] of Object.entries(isObject(state['walks']) ? state['walks'] : {})) {
    if (isObject(value) && isUnix(value[field])) walks[key] = { at: value[field], boundary: isStrings(value['boundary']) ? value['boundary'] : [] };
  }
  return { at, boundary: isStrings(state['boundary']) ? state['boundary'] : [], walks };
}

/** The state fields of a position: the stream's bookmark, and the walks that stand behind it. */
export function positionFields(position: Position, field: string): Row {
  const walks = Object.entries(position.walks).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    [field]: position.at,
    boundary: position.boundary,
    ...(walks.length > 0 ? { walks: Object.fromEntries(walks.map(([key, b]) => [key, { [field]: b.at, boundary: b.boundary }])) } : {}),
  };
}

export function fullRunOf(state: Row): FullRun | undefined {
  const full = state['full'];
  if (!isObject(full)) return undefined;
  return {
    started: isUnix(full['started']) ? full['started'] : undefined,
    state: isObject(full['state']) ? full['state'] : {},
    keys: decodeKeys(full['keys']),
  };
}

export function pendingOf(state: Row, field: string): Pending | undefined {
  const pending = state['pending'];
  if (!isObject(pending)) return undefined;
  const bookmark = bookmarkOf(pending, field);
  const left = pending['left'];
  if (!bookmark || !isObject(left)) return undefined;
  return { bookmark, left: new Map(Object.entries(left).filter((entry): entry is [string, number] => isUnix(entry[1]))) };
}

/** The state less what a read under way keeps: what a continued full read carries to its end. */
export function withoutProgress(state: Row): Row {
  const { full: _full, pending: _pending, ...rest } = state;
  return rest;
}

/**
 * A saved change-feed state as the reader takes it: checked field by field (the file, the field
 * and the fix named), or migrated from the full refresh of the version before the feed. A child
 * stream keeps one such state per parent under `partitions`.
 */
export function loadChangeFeedState(def: StreamDef, field: string, saved: Row, source: StateSource): Row | undefined {
  if (isPartitioned(def)) {
    const state = migratedPartitions(def.name, saved, source);
    if (!holdsAny(def.name, state, ['partitions'], field, source)) return undefined;
    checkObjectField(def.name, state, 'partitions', source, fixOrRemove(def.name));
    for (const [key, value] of Object.entries(partitionStates(state))) {
      const where = `${def.name}.partitions.${key}`;
      if (!isObject(value)) checkObjectField(`${def.name}.partitions`, { [key]: value }, key, source, fixOrRemove(def.name));
      else checkOne(where, field, value, source, fixOrRemove(def.name));
    }
    return state;
  }
  const state = migrated(def.name, saved, source);
  if (!holdsAny(def.name, state, [field, 'full', 'pending', 'keys', 'full_at'], field, source)) return undefined;
  checkOne(def.name, field, state, source, fixOrRemove(def.name));
  return state;
}

function checkOne(where: string, field: string, state: Row, source: StateSource, fix: string): void {
  checkUnixField(where, state, field, source, fix);
  checkUnixField(where, state, 'full_at', source, fix);
  checkStringList(where, state, 'boundary', source, fix);
  checkWalks(where, field, state, source, fix);
  checkKeySet(where, state, source);
  checkObjectField(where, state, 'full', source, fix);
  checkObjectField(where, state, 'pending', source, fix);
  const full = state['full'];
  if (isObject(full)) {
    checkUnixField(`${where}.full`, full, 'started', source, fix);
    checkObjectField(`${where}.full`, full, 'state', source, fix);
    checkKeySet(`${where}.full`, full, source);
  }
  const pending = state['pending'];
  if (isObject(pending)) {
    const at = `${where}.pending`;
    checkUnixField(at, pending, field, source, fix);
    checkStringList(at, pending, 'boundary', source, fix);
    checkWalks(at, field, pending, source, fix);
    for (const [key, time] of Object.entries(isObject(pending['left']) ? pending['left'] : {})) checkUnixField(`${at}.left`, { [key]: time }, key, source, fix);
    // Both are needed to go on: a pending read without them is damaged, not empty.
    checkUnixField(at, { [field]: pending[field] ?? null }, field, source, fix);
    checkObjectField(at, { left: pending['left'] ?? null }, 'left', source, fix);
  }
}

function checkWalks(where: string, field: string, state: Row, source: StateSource, fix: string): void {
  checkObjectField(where, state, 'walks', source, fix);
  for (const [key, walk] of Object.entries(isObject(state['walks']) ? state['walks'] : {})) {
    const at = `${where}.walks`;
    if (!isObject(walk)) checkObjectField(at, { [key]: walk }, key, source, fix);
    else {
      checkUnixField(`${at}.${key}`, { [field]: walk[field] ?? null }, field, source, fix);
      checkStringList(`${at}.${key}`, walk, 'boundary', source, fix);
    }
  }
}

/** A full refresh of the version before the change feed, killed part-way: it goes on as this reader's full read. */
function migrated(stream: string, saved: Row, source: StateSource): Row {
  if ('full' in saved || !('resume' in saved || 'export' in saved)) return saved;
  source.warn(`State of ${stream} is a full read under way written before ${stream} was incremental; it continues as a full read`);
  return { full: { state: saved } };
}

/**
 * A partitioned full refresh of the version before the change feed, killed part-way
 * (`{resume: {done, open}}`): each open partition continues from its page; the finished ones
 * kept no keys and are read again.
 */
function migratedPartitions(stream: string, saved: Row, source: StateSource): Row {
  const resume = saved['resume'];
  if ('partitions' in saved || !isObject(resume)) return saved;
  const open = isObject(resume['open']) ? resume['open'] : {};
  const partitions: Record<string, Row> = {};
  for (const [key, start] of Object.entries(open)) if (typeof start === 'string') partitions[key] = { full: { state: { resume: { start } } } };
  source.warn(
    `State of ${stream} is a full read under way written before ${stream} was incremental; ${Object.keys(partitions).length} unfinished partitions continue, the others are read again`,
  );
  return { partitions };
}
