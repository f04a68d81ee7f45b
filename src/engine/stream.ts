import type { Query } from '../http/client.js';

export type Row = Record<string, unknown>;

/** Where the records of a response are: a top-level key, or a function for odd shapes. */
export type RecordsLocator = string | ((body: Row, parent: Row | undefined) => Row[]);

export type Pagination =
  | { kind: 'none' }
  /** `next` token in the body, sent back as `param`; optional page size parameter. */
  | { kind: 'cursor'; next: string; param: string; pageSize?: { param: string; value: number; min?: number } }
  /** POST a search that returns ids page by page, then fetch the full objects in batches. */
  | {
      kind: 'search-then-hydrate';
      search: { path: string; body: unknown; pageSize: number; idsFrom: (body: Row) => string[] };
      hydrate: { path: string; query: Query; batchSize: number; records: RecordsLocator };
    };

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
      defaultHistoryDays: number;
    }
  /** Newest first with no time filter: read until a page is wholly older than the bookmark. */
  | { mode: 'feed'; field: string };

export interface ParentLink {
  stream: StreamDef;
  /** The partition's key in state (a parent id). */
  key: (parent: Row) => string;
  /** A 404 on a child of a parent deleted mid-sync: skip it and log, or fail. */
  onGone: 'skip' | 'fail';
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
  method?: 'GET' | 'POST';
  path: string | ((parent: Row) => string);
  query?: Query;
  records: RecordsLocator;
  pagination: Pagination;
  /** Small pure fix-ups next to the definition (strip credentials, coerce types). */
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
