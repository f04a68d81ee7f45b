import type { Row } from './stream.js';

/** What a stream reader yields: a page of records, or the stream state that now covers them. */
export type Chunk = { records: Row[] } | { checkpoint: Record<string, unknown> };

/** Cursor values are unix seconds; numeric strings are accepted, anything else is not a cursor. */
export function cursorValue(record: Row, field: string): number | undefined {
  const value = record[field];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export function numberAt(state: unknown, field: string): number | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const value = (state as Row)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
