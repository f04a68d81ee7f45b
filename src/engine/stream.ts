import type { ApiRequest, Query } from '../http/client.js';
import type { CsvRow } from './csv-file.js';
import type { Resolution } from './buckets.js';

export type Row = Record<string, unknown>;

/** Where the records of a response are: a top-level key, or a function for odd shapes. */
/** The records of an answer: a key of its body, or a function (a hydrate answer's also gets the ids it was asked for). */
export type RecordsLocator = string | ((body: Row, parent: Row | undefined, ids?: readonly string[]) => Row[]);

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
      /** `next`: the hydrate answer is a list that pages on (the field of its token, the parameter that takes it). */
      hydrate: {
        batchSize: number;
        request: (ids: string[], parent: Row | undefined) => ApiRequest;
        records: RecordsLocator;
        next?: { field: string; param: string };
      };
    };

/** One request of a time-bucketed endpoint: its query and the span of time it covers. */
export interface MetricsRequest {
  query: Query;
  start: number; // unix seconds
  until: number; // unix seconds, the last second covered
}

/** Series of one entity (or link) in one answer: index i is the bucket that starts at startOf(i). */
export interface SeriesTable {
  series: Record<string, unknown>;
  startOf: (index: number) => number;
  /** Buckets after this start are dropped (the server has not reached them yet). */
  last?: number;
  /** Key columns the table adds to the entity's (a link's id). */
  ids?: Row;
  /** Columns beside the series (a channel name). */
  extra?: Row;
}

/**
 * How one family of time-bucketed endpoints is asked and answers: the requests that cover a
 * range at a resolution, and the series tables of an answer. The formats live with the streams.
 */
/**
 * A metrics stream whose entities' counts add up to a parent entity's (a campaign's actions to the
 * campaign, its links' clicks to its clicks): `stream` is the parent's metrics stream, `parentOf`
 * gives the parent's record from one of this stream's partitions.
 */
export interface RollsUpTo {
  stream: StreamDef;
  parentOf: (partition: Row) => Row;
  /** Every entity is read again at least this often, whatever its parent says. */
  childrenEverySeconds: number;
}

export interface MetricsFormat {
  /** How the README names the way it is asked (`version=2`, `period/steps`). */
  label: string;
  /** Series that get a column each; the others land in `other_series`. */
  series: readonly string[];
  /** The start of the bucket that holds `unix`, on this family's grid (its time zone). */
  bucketOf(unix: number, res: Resolution): number;
  requests(from: number, to: number, res: Resolution): { requests: MetricsRequest[]; firstWanted: number; limitNote?: string };
  parse(body: Row, res: Resolution, serverTime: number | undefined, request: MetricsRequest, where: { stream: string; path: string }): SeriesTable[];
}

/** A bulk export job as the API reports it. */
export interface ExportJob {
  id: string;
  status: 'pending' | 'done' | 'failed';
  /** Rows of the file once done. */
  total: number;
  /** Unix seconds the job took its snapshot; later changes of a record are not a disagreement. */
  createdAt: number | undefined;
}

/**
 * A faster way to read a stream whole: an asynchronous export job whose file holds the records.
 * The engine runs it (`read/bulk-export.ts`) only for a search-then-hydrate stream, and checks
 * the file against records read the exact way before emitting one row of it; the definition
 * says how the API is asked and how a file row becomes a record.
 */
export interface BulkExport {
  /** Whether this sync reads by export, and why (the reason is logged). */
  choose(): Promise<{ use: boolean; why: string }>;
  /** The columns to ask for: configured, or learned from records read the exact way. */
  columns(exact: Row[]): string[];
  /** Whether `columns` came from the configuration (then an attribute outside them is not a disagreement). */
  configured: boolean;
  start(columns: string[]): ApiRequest;
  /** The job in the answer to `start` or `status`; undefined when the answer has none. */
  job(body: Row): ExportJob | undefined;
  status(id: string): ApiRequest;
  download(id: string): ApiRequest;
  url(body: Row): string | undefined;
  /** A file row as the stream emits it. */
  record(row: CsvRow, columns: string[]): Row;
  /** Why a file record disagrees with the same record read the exact way, or undefined. */
  disagreement(file: Row, exact: Row, job: ExportJob, columns: string[]): string | undefined;
  /** What the file cannot carry, for the log (fields of the schema left empty). */
  cannotCarry: string[];
  /** How long a job may run before the exact path is read instead, seconds. */
  timeoutSeconds: number;
  /** Records read the exact way to learn columns, and again to check the file. */
  sampleSize: number;
}

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
      /** Re-read this much before the bookmark (late changes); the app may set it from config. */
      lookbackSeconds: number;
      /** Unix seconds before which nothing can exist: where a read without a range start begins. */
      earliest: number;
    }
  /** Newest first with no time filter: read until a page is wholly older than the bookmark. */
  | { mode: 'feed'; field: string }
  /** Time-bucketed counts: re-read from the bookmark less a lookback, one record per bucket. */
  | {
      mode: 'metrics';
      field: 'period_start';
      format: MetricsFormat;
      ids: (parent: Row) => Row;
      lookbackSeconds: number;
      /** The counts add up to those of a parent's: nothing is asked under a parent whose own counts did not move. */
      rollsUpTo?: RollsUpTo;
    }
  /**
   * A stream read whole now and then (its own full-refresh or bulk reader), and in between
   * only for the records a feed of changes names (read/change-feed.ts). `field` is stamped on
   * every record: when its changes were read from.
   */
  | { mode: 'change-feed'; field: string; feed: ChangeFeed; fullEverySeconds: number };

/**
 * A newest-first feed of changes with no time filter, walked once per query (one kind of change
 * each) until it reaches past the bookmark; what each entry says about which record changed.
 */
export interface ChangeFeed {
  path: string;
  records: string;
  pagination: Extract<Pagination, { kind: 'cursor' }>;
  /**
   * One walk per query; `removes`: the record each entry of it names is gone (deleted). A child
   * stream walks per partition: its parent names the kinds of change (an object type's own types).
   */
  walks(parent: Row | undefined): readonly FeedWalk[];
  /** How far back the feed is kept, seconds: a bookmark older than this cannot be read from. */
  reachSeconds: number;
  idOf(entry: Row): string | undefined;
  /** Unix seconds. */
  timeOf(entry: Row): number | undefined;
  /** The key of the record the entry names: its primary key as text, less the fields a child takes from its parent. */
  keyOf(entry: Row): string | undefined;
  /** The key of a second record the entry removes (a merge names the one merged away), if any. */
  removedBy(entry: Row): string | undefined;
  /**
   * A stream of several records per thing the feed names (an object's related people): an
   * entry names a group (`keyOf`), reading the group again yields all its records, and walks
   * with `names: 'member'` name a member (a person) whose groups are read again, or whose records
   * are gone. `ofKey` splits a record's key. Without it each record is its own group.
   */
  groups?: { ofKey(key: string): { group: string; member: string } | undefined };
}

/** One walk of a change feed: its query; whether each entry removes what it names; whether it names a group's member (`groups`). */
export interface FeedWalk {
  query: Query;
  removes?: boolean;
  names?: 'member';
}

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
  /** Personal data: not selected unless the user asks for it. */
  personalData?: boolean;
  /** What to grant the API key when a 403 comes back, in the words of the API's key settings. */
  scope: string;
  parent?: ParentLink;
  fixedPartitions?: FixedPartitions;
  method?: 'GET' | 'POST';
  /**
   * A template such as `/parents/{id}/children`: each `{field}` is that field of the parent
   * (or fixed partition) record, URL-encoded. A function only where a template cannot say it.
   */
  path: string | ((parent: Row) => string);
  query?: Query | ((parent: Row | undefined) => Query);
  records: RecordsLocator;
  pagination: Pagination;
  /** The API may repeat a record (across pages or partitions): emit each primary key once. */
  dedupe?: boolean;
  /**
   * The field of the account's counts record (the region probe's answer) that sizes this stream,
   * for a row estimate before the read.
   */
  estimateFrom?: string;
  /**
   * What a first sync can reach, where the API narrows it (windows, retention, steps limits):
   * the README's "history" column. Unset: every record the API lists.
   */
  history?: string;
  /**
   * Fields a child record takes from its parent when it does not carry them itself:
   * `{ broadcast_id: 'id' }` sets the record's broadcast_id to the parent's id.
   */
  fromParent?: Record<string, string>;
  /**
   * A faster way to read the whole stream (an export job and its file), checked against the
   * exact path; the app sets it when the configuration asks for it.
   */
  bulk?: BulkExport;
  /** Small pure fix-ups next to the definition (strip credentials, coerce types). Runs after fromParent. */
  transform?: (record: Row, parent: Row | undefined) => Row;
}

/**
 * A definition as written: `schemaFile` defaults to `<name>.json`, and `parent` may be the parent
 * stream itself, read through its `id`, a 404 under it skipped (a parent deleted mid-sync).
 */
export type StreamSpec = Omit<StreamDef, 'schemaFile' | 'parent'> & {
  schemaFile?: string;
  parent?: StreamDef | (Omit<ParentLink, 'key' | 'onGone'> & { key?: ParentLink['key']; onGone?: ParentLink['onGone'] });
};

export function defineStream(spec: StreamSpec): StreamDef {
  const { parent, schemaFile, ...rest } = spec;
  const link = parent === undefined ? undefined : 'stream' in parent ? parent : { stream: parent };
  return Object.freeze({
    ...rest,
    schemaFile: schemaFile ?? `${spec.name}.json`,
    ...(link ? { parent: { stream: link.stream, key: link.key ?? byId, onGone: link.onGone ?? 'skip' } } : {}),
  });
}

const byId = (parent: Row): string => String(parent['id']);

export function pathFor(def: StreamDef, parent: Row | undefined): string {
  if (typeof def.path === 'string' && !def.path.includes('{')) return def.path;
  if (!parent) throw new Error(`stream ${def.name} needs a parent record to build its path`);
  if (typeof def.path === 'function') return def.path(parent);
  return def.path.replace(/\{(\w+)\}/g, (_, field: string) => encodeURIComponent(String(parent[field])));
}

/** The record as the stream emits it: the parent's fields it lacks, then the stream's transform. */
export function emitted(def: StreamDef, record: Row, parent: Row | undefined): Row {
  let out = record;
  if (def.fromParent) {
    out = { ...record };
    for (const [field, source] of Object.entries(def.fromParent)) out[field] = record[field] ?? parent?.[source] ?? null;
  }
  return def.transform ? def.transform(out, parent) : out;
}

export function queryFor(def: StreamDef, parent: Row | undefined): Query {
  if (!def.query) return {};
  return typeof def.query === 'function' ? def.query(parent) : def.query;
}

/** Streams that emit tombstones: read whole on every incremental sync (a key that was there and is gone was deleted), or told of deletes by a change feed. */
export function tracksDeletes(def: StreamDef): boolean {
  return def.cursor?.mode === 'client-filter' || def.cursor?.mode === 'change-feed';
}

export function isPartitioned(def: StreamDef): boolean {
  return def.parent !== undefined || def.fixedPartitions !== undefined;
}

/**
 * The values of `fields` in a record as one string (the value itself for one field, a JSON list
 * of texts for several, so ids that come as 12 or "12" are one key); undefined when one is missing.
 */
export function keyText(fields: readonly string[], record: Row): string | undefined {
  const values: string[] = [];
  for (const field of fields) {
    const value = record[field];
    if (value === null || value === undefined || value === '') return undefined;
    values.push(String(value));
  }
  return values.length === 1 ? values[0] : JSON.stringify(values);
}

/** The top-level fields of a stream's primary key. */
export function keyFields(def: StreamDef): string[] {
  return def.primaryKey.map((path) => path[0] as string);
}

/** The key fields a record holds of its own: within a partition, those a child takes from its parent are the same for all. */
export function ownKeyFields(def: StreamDef): string[] {
  const inherited = new Set(Object.keys(def.fromParent ?? {}));
  return keyFields(def).filter((field) => !inherited.has(field));
}
