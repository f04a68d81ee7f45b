import type { ApiRequest, Query } from '../http/client.js';

export type Row = Record<string, unknown>;

/** Where the records of a response are: a top-level key, or a function for odd shapes. */
export type RecordsLocator = string | ((body: Row, parent: Row | undefined) => Row[]);

export type Pagination =
  | { kind: 'none' }
  /** `next` token in the body, sent back as `param`; optional page size parameter. */
  | { kind: 'cursor'; next: string; param: string; pageSize?: { param: string; value: number } }
  /** `limit` + `offset`; the list ends with a short page or a null list. */
  | { kind: 'offset'; limitParam: string; offsetParam: string; pageSize: number }
  /** POST a search that returns ids page by page, then fetch the full objects in batches. */
  | {
      kind: 'search-then-hydrate';
      search: { path: string; body: (parent: Row | undefined) => unknown; pageSize: number; idsFrom: (body: Row) => string[] };
      hydrate: { batchSize: number; request: (ids: string[], parent: Row | undefined) => ApiRequest; records: RecordsLocator };
    };

export type MetricsApi =
  /** version=2: start/end/res/tz, series under metric.series, window echoed as `start`. */
  | { kind: 'v2' }
  /** period/steps ending at the current period, buckets anchored in US Eastern time. */
  | { kind: 'v1'; typeParam?: false }
  /** start/end/resolution, series under journey_metric. */
  | { kind: 'journey' }
  /** period/steps, one series set per link under links[]. */
  | { kind: 'v1-links' };

export type Incremental =
  /** The API has no time filter: read the whole list, keep records whose cursor is at or after the bookmark. */
  | { mode: 'client-filter'; field: string; lookbackSeconds?: number }
  /** The API filters by a time window: read windows oldest first, checkpoint after each. */
  | {
      mode: 'server-window';
      field: string;
      startParam: string;
      endParam: string;
      maxWindowSeconds: number;
      lookbackDays: 'messages_lookback_days';
      /** Unix seconds before which nothing can exist: where a read without start_date begins. */
      earliest: number;
    }
  /** Newest first with no time filter: read until a page is wholly older than the bookmark. */
  | { mode: 'feed'; field: string }
  /** Time-bucketed counts: re-read from the bookmark less a lookback, one record per bucket. */
  | { mode: 'metrics'; field: 'period_start'; api: MetricsApi; ids: (parent: Row) => Row };

export interface ParentLink {
  stream: StreamDef;
  /** The partition's key in state (a parent id). */
  key: (parent: Row) => string;
  /** A 404 on a child of a parent deleted mid-sync: skip it and log, or fail. */
  onGone: 'skip' | 'fail';
}

/** Partitions known in advance (the four suppression lists, hidden and visible senders). */
export interface FixedPartitions {
  rows: Row[];
  key: (row: Row) => string;
}

export interface StreamDef {
  name: string;
  schemaFile: string;
  primaryKey: string[][];
  cursor?: Incremental;
  /** Full-refresh progress is checkpointed so a killed read continues where it was. */
  resumable?: boolean;
  /** Data about people: not selected unless the user asks for it. */
  personalData?: boolean;
  /** What to grant the App API key when a 403 comes back (Customer.io's wording). */
  scope: string;
  parent?: ParentLink;
  fixedPartitions?: FixedPartitions;
  method?: 'GET' | 'POST';
  path: string | ((parent: Row) => string);
  query?: Query | ((parent: Row | undefined) => Query);
  records: RecordsLocator;
  pagination: Pagination;
  /** The API may repeat a record (across pages or partitions): emit each primary key once. */
  dedupe?: boolean;
  /**
   * What a first sync can reach, where the API narrows it (windows, retention, steps limits):
   * the README's "history" column. Unset: every record the API lists.
   */
  history?: string;
  /** Small pure fix-ups next to the definition (strip credentials, coerce types, add the parent's id). */
  transform?: (record: Row, parent: Row | undefined) => Row;
}

export function defineStream(def: StreamDef): StreamDef {
  return Object.freeze(def);
}

export function pathFor(def: StreamDef, parent: Row | undefined): string {
  if (typeof def.path === 'string') return def.path;
  if (!parent) throw new Error(`stream ${def.name} needs a parent record to build its path`);
  return def.path(parent);
}

export function queryFor(def: StreamDef, parent: Row | undefined): Query {
  if (!def.query) return {};
  return typeof def.query === 'function' ? def.query(parent) : def.query;
}

export function isPartitioned(def: StreamDef): boolean {
  return def.parent !== undefined || def.fixedPartitions !== undefined;
}
