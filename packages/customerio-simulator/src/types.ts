import type { DeletedEntity } from './data/deletions.js';
import type { PeopleChangeRequest } from './data/people-change-batch.js';
import type { PeopleChangeBatch } from './data/people-changes.js';
import type { ObjectChangeRequest } from './data/object-change-batch.js';
import type { ObjectChangeBatch } from './data/object-changes.js';
import type { Scale, ScaleSizes } from './scale.js';
import type { GroundTruth } from './truth/index.js';

export type { Scale } from './scale.js';

export interface SimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 1; the same seed + scale + now gives byte-identical responses. */
  seed?: number;
  /** Default 'small'. */
  scale?: Scale;
  /**
   * Unix seconds: the workspace clock, frozen unless advance() is called. Default: an hour behind
   * wall time, so tests can move it forward and still stay in the past.
   */
  now?: number;
  /** Accepted App API keys (Authorization: Bearer <key>); default [DEMO_API_KEY]. */
  apiKeys?: string[];
  /** Account-wide requests per second; 0 = unlimited; default 10. */
  rateLimit?: number;
  /** Per-second 429s carry `Retry-After: 1` (current vendor spec) or no header (older build, default). */
  retryAfter?: boolean;
  /** Added before every API response; default 0. */
  latencyMs?: number;
  /**
   * Collection sizes that differ from the scale's (benchmarks: 20,000 people, say). Any may be 0
   * (a workspace without campaigns answers `{"campaigns": null}`) except people and the two
   * rates, which must be at least 1.
   */
  sizes?: Partial<ScaleSizes>;
  /** Where routes compute their answers: a worker thread (default, so a slow answer never delays the rate limiter's view of arrivals) or this thread. */
  backend?: 'worker' | 'inline';
  /** Path prefixes (e.g. '/v1/segments') answered 403: the key lacks that scope. */
  forbidden?: string[];
  faults?: FaultRule[];
  /**
   * Customer export files (POST /v1/exports/customers, §5.9): plain CSV (false, default: what the
   * evidence suggests), gzip (true), or every second job gzip ('alternate'). Never announced by a
   * header: only the magic bytes tell.
   */
  exportGzip?: boolean | 'alternate';
  /** Share of export jobs that fail (0..1, evenly spread in creation order); default 0. */
  exportFailures?: number;
  /** Lifetime of a download URL, seconds of real time; default 900 (15 minutes, §5.9). */
  exportUrlTtlSeconds?: number;
  /** Shortest run of an export job, seconds; default 2. */
  exportJobMinSeconds?: number;
  /** People an export job gets through per second (its length: matched / this); default 100,000. */
  exportJobRowsPerSecond?: number;
}

/** What the export download host (a second loopback server) saw. */
export interface DownloadStats {
  /** Every request to the download host. */
  requests: number;
  /** Requests that carried an Authorization header (refused with 400): the tap must send none. */
  withAuthorization: number;
  /** Files whose streaming began (200). */
  served: number;
  /** Files streamed to the end. */
  completed: number;
  /** 400 (Authorization), 403 (tampered or expired URL) and 404 answers. */
  rejected: number;
  /** CSV data rows generated so far, over all files (the header not counted). */
  rowsWritten: number;
}

export type FaultKind = 'status' | 'reset' | 'reset-mid-body' | 'truncated' | 'html' | 'wrong-shape' | 'delay' | 'hang';

export interface FaultRule {
  /** RegExp source tested against the pathname (no query string). */
  path: string;
  method?: string;
  kind: FaultKind;
  /** For 'status' (default body: the errors envelope). */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** For 'delay'. */
  delayMs?: number;
  /** How many matching requests get the fault; default unlimited. */
  times?: number;
  /** Let the first N matching requests through first; default 0. */
  skip?: number;
}

export interface SimulatorStats {
  /** API requests received (control endpoints excluded), 429s included. */
  requests: number;
  /** '200' -> n, '429' -> n, ...; 'none' counts requests that never got a status line (reset, hang). */
  byStatus: Record<string, number>;
  /** Number of 429 responses (rate limiter and injected faults). */
  rateLimited: number;
  /** Normalised route ('/v1/campaigns/:id/actions') -> n; 'unknown' for unrouted paths. */
  byPath: Record<string, number>;
  /** Millisecond timestamps of the first and last API request. */
  firstAt: number | null;
  lastAt: number | null;
  /** Most requests accepted by the rate limiter inside any 1000 ms window. */
  maxInWindow: number;
}

export interface Simulator {
  /** 'http://127.0.0.1:PORT' (no trailing slash; API paths start with /v1). */
  url: string;
  port: number;
  stats(): SimulatorStats;
  resetStats(): void;
  now(): number;
  /**
   * Moves the clock forward: new messages/activities appear, message metrics progress, some
   * campaigns/actions/newsletters/segments get a newer `updated`/`updated_at`.
   */
  advance(seconds: number): void;
  setFaults(rules: FaultRule[]): void;
  /**
   * Deletes entities between two syncs, as a real delete does (customerio-api.md §3 "404
   * semantics"): each leaves its list (every page of paged lists), and its own endpoint and
   * everything under it (children, metrics, membership, used_by) answer 404. A parent takes its
   * children along: a campaign its actions, a newsletter its variants and test groups, a
   * broadcast its actions and triggers, a segment its membership and usage. Nothing else
   * changes: other records keep their bytes (a parent keeps its `updated` and refs when a child
   * goes), history (messages, activities, other entities' metrics) stays. `truth` follows, and
   * `truth.deletedEntities()` lists what went, cascaded children included.
   *
   * Each entity is `{kind, id, parent?}`: `kind` one of campaign, campaign_action (parent: the
   * campaign id), newsletter, newsletter_variant (a newsletter content; parent: the newsletter
   * id), broadcast, broadcast_action (parent: the broadcast id), transactional_message, segment,
   * snippet (id: its name), collection; ids as numbers or decimal strings. The batch applies
   * whole or not at all: an unknown kind, an unknown id or one already deleted throws an Error
   * naming it. Requests made after this returns see the deletes (also where routes run in a
   * worker thread). Control endpoint: `POST /__sim/delete` (control.ts).
   */
  deleteEntities(entities: DeletedEntity[]): void;
  /**
   * Changes people between two syncs, at the current clock (data/people-change-batch.ts): each
   * change alters the profile (POST /v1/customers/attributes, search, membership, exports,
   * workspace counts) and, unless silent, writes its activity into GET /v1/activities, timed
   * over the span since the previous batch (or the initial clock), some sharing a second.
   * `request.counts` says how many of each kind (attribute_change, profile_create,
   * profile_delete, profile_merge, device_change, unsubscribed_email, topic_unsubscribed_email,
   * silent, several; omitted: a bit of each), `request.seed` picks people and values (default:
   * the batch number). Deleted and merged-away people leave search, hydration and membership,
   * and all their activities move to `deleted=true`. Returns the batch as applied (its number,
   * clock and changes in log order; `truth.people` keeps them all). Throws, changing nothing,
   * for a malformed request or more people than the workspace has. Requests made after this
   * returns see the batch. Control endpoint: `POST /__sim/change-people` (control.ts).
   */
  changePeople(request?: PeopleChangeRequest): PeopleChangeBatch;
  /**
   * Changes objects between two syncs, at the current clock (data/object-change-batch.ts), as
   * changePeople does people: each change alters what object search and GET
   * /v1/objects/{type}/{id}/attributes serve (and the `objects` count of /v1/workspaces) and,
   * unless silent, writes an `_o:<object_type_id>:create|attribute_change|delete` activity into
   * GET /v1/activities (customer_id and customer_identifiers null, the object named in `data`),
   * timed over the span since the previous change batch of people or objects. `request.counts`
   * says how many of each kind (create, attribute_change, delete, silent, several, and the
   * relationship kinds add_relationship, delete_relationship, relationship_attribute_change,
   * silent_relationship: data/relationship-change-stage.ts; omitted: a bit of each),
   * `request.seed` picks objects and values (default: the batch number). Deleted
   * objects leave search and answer 404; all their activities move to `deleted=true`.
   * Relationship changes alter both relationship lists (GET /v1/objects/{type}/{id}/relationships,
   * GET /v1/customers/{id}/relationships) and write `_o:<id>:add_relationship|delete_relationship`
   * plus the person's `add_relationship|delete_relationship`, or `_r:<id>:attribute_change`
   * (`truth.relationships`). Returns
   * the batch as applied (`truth.objectChanges` keeps them all). Throws, changing nothing, for a
   * malformed request or more objects than the workspace has. Control endpoint:
   * `POST /__sim/change-objects` (control.ts).
   */
  changeObjects(request?: ObjectChangeRequest): ObjectChangeBatch;
  /** What the API would serve right now, for tests to compare against. */
  truth: GroundTruth;
  /** 'http://127.0.0.1:PORT' of the export download host (a second server, not the API host). */
  downloadUrl: string;
  /** What the export download host has seen so far. */
  downloadStats(): DownloadStats;
  close(): Promise<void>;
}
