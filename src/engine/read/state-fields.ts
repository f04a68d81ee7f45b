import { TapError } from '../../errors.js';
import { parseIntervals } from '../intervals.js';
import { decodeKeys } from '../key-set.js';
import type { Row } from '../stream.js';
import type { StateSource } from './reader.js';

/**
 * Checks the readers share for the fields of their saved states: each names the file, the field
 * and the fix, so a damaged state stops the sync before a request rather than reading wrong.
 */
export function checkUnixField(stream: string, state: Row, field: string, source: StateSource, fix: string): void {
  const value = state[field];
  if (value === undefined || (typeof value === 'number' && Number.isFinite(value))) return;
  throw new TapError('STATE_INVALID', `The state file ${source.file}: ${stream}.${field} must be a unix timestamp (number), got ${JSON.stringify(value)}`, {
    hint: fix,
  });
}

export function checkIsoField(stream: string, state: Row, field: string, source: StateSource, fix: string): void {
  const value = state[field];
  if (value === undefined || (typeof value === 'string' && !Number.isNaN(Date.parse(value)))) return;
  throw new TapError('STATE_INVALID', `The state file ${source.file}: ${stream}.${field} must be an RFC 3339 timestamp, got ${JSON.stringify(value)}`, {
    hint: fix,
  });
}

export function checkIntervalsField(stream: string, state: Row, field: string, source: StateSource, fix: string): void {
  const value = state[field];
  if (value === undefined || parseIntervals(value) !== undefined) return;
  throw new TapError(
    'STATE_INVALID',
    `The state file ${source.file}: ${stream}.${field} must be a list of [start, end] pairs of unix timestamps, got ${JSON.stringify(value).slice(0, 80)}`,
    { hint: fix },
  );
}

export function checkStringList(stream: string, state: Row, field: string, source: StateSource, fix: string): void {
  const value = state[field];
  if (value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string'))) return;
  throw new TapError(
    'STATE_INVALID',
    `The state file ${source.file}: ${stream}.${field} must be a list of strings, got ${JSON.stringify(value).slice(0, 80)}`,
    { hint: fix },
  );
}

/** A field that holds a nested state (or a map) must be a JSON object. */
export function checkObjectField(stream: string, state: Row, field: string, source: StateSource, fix: string): void {
  const value = state[field];
  if (value === undefined || (value !== null && typeof value === 'object' && !Array.isArray(value))) return;
  throw new TapError('STATE_INVALID', `The state file ${source.file}: ${stream}.${field} must be an object, got ${JSON.stringify(value).slice(0, 80)}`, {
    hint: fix,
  });
}

/** Stored key sets (tombstones) must decode: a damaged one is named, never read as "everything was deleted". */
export function checkKeySet(where: string, state: unknown, source: StateSource): void {
  const keys = state && typeof state === 'object' ? (state as Row)['keys'] : undefined;
  if (keys === undefined || decodeKeys(keys) !== undefined) return;
  throw new TapError(
    'STATE_INVALID',
    `The state file ${source.file}: ${where}.keys is not a key set (a list of strings or "n:" base-36 deltas), got ${JSON.stringify(keys).slice(0, 60)}`,
    {
      hint: `Remove ${where}.keys: the next sync stores the keys again (and emits no tombstones that once)`,
    },
  );
}

/** A state that holds none of the fields a reader keeps is dropped, with a warning that says so. */
export function holdsAny(stream: string, state: Row, fields: readonly string[], bookmark: string, source: StateSource): boolean {
  if (fields.some((field) => field in state)) return true;
  source.warn(
    `State of ${stream} has no "${bookmark}" bookmark (keys: ${Object.keys(state).join(', ')}); it was ignored and ${stream} is read from the start of its range`,
  );
  return false;
}

export const fixOrRemove = (stream: string): string => `Fix or remove the ${stream} entry to read that stream from the start of its range`;

/** The per-partition states of a child stream's state (`{partitions: {parent key: state}}`), a copy. */
export function partitionStates(state: unknown): Record<string, Row> {
  const partitions = state && typeof state === 'object' ? (state as Row)['partitions'] : undefined;
  if (!partitions || typeof partitions !== 'object' || Array.isArray(partitions)) return {};
  return { ...(partitions as Record<string, Row>) };
}
