import { ApiError } from '../reply.js';
import type { ActivityRecord } from './activities.js';
import { changeFeed, type ChangeFeedEntry } from './change-feed.js';
import type { World } from './world.js';

/**
 * GET /v1/activities as one newest-first feed: the future-dated head (bad device clocks), then
 * the generated history (data/activities.ts) merged with the activities of the changes applied
 * between syncs (data/people-changes.ts). The route pages over it and the truth reads it whole,
 * so the two cannot disagree.
 */

/** The filters of GET /v1/activities (§5.3), parsed. */
export interface ActivityFilter {
  type?: string;
  name?: string;
  /**
   * false (the default): only the activities of people who still have a profile; true: only
   * those of people deleted or merged away, all of them, from before the delete too.
   * ASSUMPTION: the docs say "If true, return results for deleted people"; the simulator reads
   * it as "only", so a client must read both ways to see everything.
   */
  deleted?: boolean;
  /** Only this person's activities (`customer_id` with `id_type`); −1 matches nobody. */
  person?: number;
}

/**
 * A request can scan this many activities when its filters skip most of them; it then answers
 * a short or even empty page that still carries `next` (simulator-only, like people search).
 * An unfiltered request never reaches it: it scans exactly the records it serves.
 */
export const ACTIVITY_SCAN_BUDGET = 5_000;

/**
 * Where a walk stands. Tokens are 18 digits: 8 + the next future-dated activity, 9 + the next
 * generated activity (as before any change existed), 7 + the last change activity served.
 * The other list's position follows from the record last served: on a tie in time a change
 * activity comes before the generated one, so the boundary is one point in a total order.
 */
type Cursor = { section: 8; i: number } | { section: 'feed'; k: number; c: number };

export class FeedWalk {
  private readonly changes: readonly ChangeFeedEntry[];
  private readonly lo: number;
  private readonly hi: number;
  private readonly cLo: number;
  private cursor: Cursor;
  /** Token of the position after the last record scanned (undefined before the first). */
  private boundary: string | undefined;

  constructor(
    private readonly world: World,
    private readonly now: number,
    private readonly filter: ActivityFilter,
    start?: string,
  ) {
    const feed = world.activities;
    const range = feed.visibleRange(now);
    this.lo = range.lo;
    this.hi = range.hi;
    this.changes = changeFeed(world);
    this.cLo = firstAtOrAfter(this.changes, feed.cutoff(now));
    this.cursor = start === undefined ? { section: 8, i: 0 } : this.parse(start);
  }

  /** The next record in feed order that passes the filter; null for one skipped; undefined at the end. */
  next(): ActivityRecord | null | undefined {
    const feed = this.world.activities;
    for (;;) {
      const at = this.cursor;
      if (at.section === 8) {
        if (at.i >= feed.futureCount) {
          this.cursor = this.feedCursor(this.hi);
          continue;
        }
        this.cursor = { section: 8, i: at.i + 1 };
        this.boundary = `8${pad(at.i + 1)}`;
        if (!feed.futureVisible(at.i, this.now)) continue;
        const record = feed.future(at.i);
        return this.keeps(record, this.world.people.indexOfAnyCioId(record.customer_identifiers?.cio_id ?? '')) ? record : null;
      }
      // The position is an absolute index, so activities arriving mid-walk do not shift it.
      const k = Math.min(at.k, this.hi);
      const change = at.c >= this.cLo ? this.changes[at.c] : undefined;
      if (k < this.lo && change === undefined) return undefined;
      if (change !== undefined && (k < this.lo || change.at >= feed.timeline.at(k))) {
        this.cursor = { section: 'feed', k, c: at.c - 1 };
        this.boundary = `7${pad(at.c)}`;
        return this.keeps(change.activity, change.p, change.object, change.related) ? change.activity : null;
      }
      const record = feed.record(k);
      this.cursor = { section: 'feed', k: k - 1, c: at.c };
      this.boundary = `9${pad(k - 1)}`;
      return this.keeps(record, this.world.people.indexOfAnyCioId(record.customer_identifiers?.cio_id ?? '')) ? record : null;
    }
  }

  /** Whether anything is left to scan after the current position. */
  hasMore(): boolean {
    const at = this.cursor;
    const changesLeft = at.section === 8 ? this.changes.length > this.cLo : at.c >= this.cLo;
    if (at.section === 8) return at.i < this.world.activities.futureCount || this.hi >= this.lo || changesLeft;
    return Math.min(at.k, this.hi) >= this.lo || changesLeft;
  }

  /** The `next` token of the current position. */
  token(): string {
    if (this.boundary === undefined) throw new Error('simulator: a feed token before any record was scanned');
    return this.boundary;
  }

  /**
   * An object's activity (`object`) is gone with its object and never matches a person filter; a
   * relationship's is gone with its object or its person (`p`, or `related` when the activity is
   * on the object) and matches a person filter when it is on the person.
   */
  private keeps(record: ActivityRecord, p: number, object?: { t: number; i: number }, related?: number): boolean {
    const f = this.filter;
    const departed = (person: number | undefined): boolean => person !== undefined && person >= 0 && this.world.people.changes.departure(person) !== undefined;
    const gone = (object !== undefined && this.world.objects.changes.departure(object.t, object.i) !== undefined) || departed(p) || departed(related);
    if (gone !== (f.deleted === true)) return false;
    if (f.type !== undefined && record.type !== f.type) return false;
    if (f.name !== undefined && record.name !== f.name) return false;
    return f.person === undefined || (f.person === p && (object === undefined || p >= 0));
  }

  /** Generated position k with the change position that follows it (changes tied with k + 1 came before it). */
  private feedCursor(k: number): Cursor {
    const timeline = this.world.activities.timeline;
    return { section: 'feed', k, c: lastBefore(this.changes, timeline.at(k + 1)) };
  }

  private parse(token: string): Cursor {
    const m = /^([789])([0-9]{17})$/.exec(token);
    if (m === null) throw badToken();
    const n = Number(m[2]);
    if (m[1] === '8') return { section: 8, i: n };
    if (m[1] === '9') return this.feedCursor(n);
    // The change served last: generated activities of its second come after it.
    const served = this.changes[n];
    if (served === undefined) throw badToken();
    return { section: 'feed', k: this.world.activities.timeline.lastAtOrBefore(served.at), c: n - 1 };
  }
}

function pad(n: number): string {
  if (n < 0) throw new Error('simulator: a feed position below 0 has no token');
  return String(n).padStart(17, '0');
}

function badToken(): ApiError {
  return new ApiError(400, 'The request was malformed: invalid value for parameter start');
}

/** Index of the first entry at or after `t` (entries ascend by time). */
function firstAtOrAfter(entries: readonly ChangeFeedEntry[], t: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid] as ChangeFeedEntry).at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last entry strictly before `t`, or −1. */
function lastBefore(entries: readonly ChangeFeedEntry[], t: number): number {
  return firstAtOrAfter(entries, t) - 1;
}

/**
 * The filters of a request (§5.3): `type` and `name` as given (any value: the 117-value type
 * enum is not checked), `deleted` true|false, `customer_id` read with `id_type` id|email|cio_id
 * (default id; `cio_` prefix accepted). Unknown people match nothing. A bad `deleted` or
 * `id_type` is a 400, the stricter reading.
 */
export function activityFilter(world: World, query: URLSearchParams): ActivityFilter {
  const filter: ActivityFilter = {};
  const type = query.get('type');
  if (type !== null && type !== '') filter.type = type;
  const name = query.get('name');
  if (name !== null && name !== '') filter.name = name;
  const deleted = query.get('deleted');
  if (deleted !== null && deleted !== '') {
    if (deleted !== 'true' && deleted !== 'false') throw malformed('deleted');
    filter.deleted = deleted === 'true';
  }
  const idType = query.get('id_type') ?? 'id';
  if (idType !== 'id' && idType !== 'email' && idType !== 'cio_id') throw malformed('id_type');
  const customer = query.get('customer_id');
  if (customer !== null && customer !== '') filter.person = personOf(world, customer, idType);
  return filter;
}

function personOf(world: World, value: string, idType: 'id' | 'email' | 'cio_id'): number {
  const people = world.people;
  if (idType === 'cio_id') return people.indexOfAnyCioId(value.startsWith('cio_') ? value.slice(4) : value);
  return idType === 'id' ? people.indexOfId(value, true) : people.indexOfEmail(value, true);
}

function malformed(name: string): ApiError {
  return new ApiError(400, `The request was malformed: invalid value for parameter ${name}`);
}

/** The whole feed a filter selects, in served order (for the truth). */
export function wholeFeed(world: World, now: number, filter: ActivityFilter = {}): ActivityRecord[] {
  const walk = new FeedWalk(world, now, filter);
  const out: ActivityRecord[] = [];
  for (let r = walk.next(); r !== undefined; r = walk.next()) if (r !== null) out.push(r);
  return out;
}
