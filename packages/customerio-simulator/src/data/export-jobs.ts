import { performance } from 'node:perf_hooks';
import { matchesAudience, parseAudienceFilter, type AudienceFilter } from './audience-filter.js';
import type { ExportRecord } from './exports.js';
import type { World } from './world.js';

/**
 * Customer export jobs started with POST /v1/exports/customers (§5.9). Unlike everything else in
 * data/, they are state: the main thread holds them (server.ts answers the export routes there,
 * not in the route worker), so the truth and the download host see the same jobs.
 *
 * A job snapshots the workspace at its `created_at` (the workspace clock when it was posted):
 * its file holds the people matching its filter then, with attribute values as
 * POST /v1/customers/attributes serves them at that clock.
 *
 * Progress (the choice the workspace clock forces: it is frozen unless advanced): a job's
 * elapsed time is the real time since it was posted PLUS however far the workspace clock has
 * been advanced since then. It is done once that reaches its duration, `max(minSeconds,
 * matched / rowsPerSecond)`, and once the background count of matching people has finished
 * (a scan of the whole workspace in small slices on the event loop, so a million people never
 * stall the API front). Its `updated_at` is latched the first time anyone sees it finished:
 * `min(workspace now, created_at + ceil(duration))`, never in the future of the workspace clock
 * (with a frozen clock it therefore equals `created_at`, and `deduplicate_id` does not change
 * between pending and done: a client must read `status`).
 */
export interface ExportJobSettings {
  /** Shortest run of a job, seconds; default 2. */
  minSeconds: number;
  /** People per second a job gets through; default 100,000 (1 s per 100,000 matched). */
  rowsPerSecond: number;
  /** Share of jobs that fail, 0..1, spread evenly over the jobs in creation order; default 0. */
  failures: number;
  /** File compression: never (default), always, or every second job (the 2nd, 4th, … gzip). */
  gzip: boolean | 'alternate';
}

/** People tested per slice of the background count. */
const SCAN_SLICE = 2048;

interface Job {
  /** 0 for the first job this simulator ran. */
  ordinal: number;
  id: number;
  filter: AudienceFilter;
  attributes: string[];
  createdAt: number;
  /** Delete batches applied when it was posted (data/deletions.ts): later deletes do not change its file. */
  deletionBatch: number;
  /** The same for changes to people (data/people-changes.ts). */
  peopleBatch: number;
  startedMs: number;
  fails: boolean;
  gzip: boolean;
  scanned: number;
  matchedSoFar: number;
  /** Set when the count has finished. */
  matched: number | undefined;
  /** Latched workspace time of the end, once seen. */
  finishedAt: number | undefined;
  downloads: number;
}

/** What a job's file holds, for the download host. */
export interface ExportFile {
  id: number;
  filter: AudienceFilter;
  attributes: readonly string[];
  at: number;
  /** See Job.deletionBatch. */
  deletionBatch: number;
  /** See Job.peopleBatch. */
  peopleBatch: number;
  gzip: boolean;
  rows: number;
}

export class ExportJobs {
  private readonly jobs: Job[] = [];
  private readonly scans = new Set<NodeJS.Immediate>();
  /** Created jobs continue the ids of the seeded exports (data/exports.ts: 100 + 7k). */
  private readonly firstK: number;

  constructor(
    private readonly world: World,
    private readonly settings: ExportJobSettings,
    private readonly elapsedMs: () => number = () => performance.now(),
  ) {
    this.firstK = world.exports.count;
  }

  /** Parses, then starts a job; `filters` is the request's JSON (throws FilterError when malformed). */
  create(filters: unknown, attributes: readonly string[], now: number): ExportRecord {
    const filter = parseAudienceFilter(filters);
    const ordinal = this.jobs.length;
    const share = this.settings.failures;
    const job: Job = {
      ordinal,
      id: 100 + 7 * (this.firstK + ordinal),
      filter,
      attributes: [...attributes],
      createdAt: now,
      deletionBatch: this.world.deletions.batches,
      peopleBatch: this.world.people.changes.batches,
      startedMs: this.elapsedMs(),
      // Exactly `share` of the jobs fail, evenly spread: job n fails when floor((n+1)s) > floor(ns).
      fails: Math.floor((ordinal + 1) * share) > Math.floor(ordinal * share),
      gzip: this.settings.gzip === 'alternate' ? ordinal % 2 === 1 : this.settings.gzip,
      scanned: 0,
      matchedSoFar: 0,
      matched: undefined,
      finishedAt: undefined,
      downloads: 0,
    };
    this.jobs.push(job);
    this.scan(job);
    return this.record(job, now);
  }

  /** Every created job, oldest first, as GET /v1/exports serves it at `now`. */
  records(now: number): ExportRecord[] {
    return this.jobs.map((job) => this.record(job, now));
  }

  /** GET /v1/exports/{id} of a created job, or undefined. */
  recordOf(id: number, now: number): ExportRecord | undefined {
    const job = this.job(id);
    return job && this.record(job, now);
  }

  /**
   * The file of a finished job, counting the download (URLs issued, as the API can see them; the
   * storage host's own fetches are not the API's to count). `pending`/`failed` when there is none.
   */
  download(id: number, now: number): ExportFile | 'unknown' | 'pending' | 'failed' {
    const job = this.job(id);
    if (!job) return 'unknown';
    const status = this.status(job, now);
    if (status !== 'done') return status;
    job.downloads++;
    return this.file(job);
  }

  /** A finished job's file (for the download host, which checks the URL's signature first). */
  fileOf(id: number): ExportFile | undefined {
    const job = this.job(id);
    return job && job.finishedAt !== undefined && !job.fails ? this.file(job) : undefined;
  }

  /** The filter and attributes a job was posted with. */
  spec(id: number): { filter: AudienceFilter; attributes: readonly string[]; at: number; deletionBatch: number; peopleBatch: number } | undefined {
    const job = this.job(id);
    return job && { filter: job.filter, attributes: job.attributes, at: job.createdAt, deletionBatch: job.deletionBatch, peopleBatch: job.peopleBatch };
  }

  close(): void {
    for (const s of this.scans) clearImmediate(s);
    this.scans.clear();
  }

  private file(job: Job): ExportFile {
    return {
      id: job.id,
      filter: job.filter,
      attributes: job.attributes,
      at: job.createdAt,
      deletionBatch: job.deletionBatch,
      peopleBatch: job.peopleBatch,
      gzip: job.gzip,
      rows: job.matched ?? 0,
    };
  }

  private job(id: number): Job | undefined {
    const k = (id - 100) / 7 - this.firstK;
    return Number.isInteger(k) && k >= 0 ? this.jobs[k] : undefined;
  }

  private scan(job: Job): void {
    const people = this.world.people.total;
    const slice = (): void => {
      const stop = Math.min(people, job.scanned + SCAN_SLICE);
      for (let p = job.scanned; p < stop; p++)
        if (matchesAudience(this.world, job.filter, p, job.createdAt, job.deletionBatch, job.peopleBatch)) job.matchedSoFar++;
      job.scanned = stop;
      if (stop >= people) {
        job.matched = job.matchedSoFar;
        return;
      }
      const next = setImmediate(() => {
        this.scans.delete(next);
        slice();
      });
      this.scans.add(next);
    };
    slice();
  }

  private status(job: Job, now: number): ExportRecord['status'] {
    if (job.finishedAt === undefined) {
      if (job.matched === undefined) return 'pending';
      const duration = Math.max(this.settings.minSeconds, job.matched / this.settings.rowsPerSecond);
      const elapsed = (this.elapsedMs() - job.startedMs) / 1000 + (now - job.createdAt);
      if (elapsed < duration) return 'pending';
      job.finishedAt = Math.max(job.createdAt, Math.min(now, job.createdAt + Math.ceil(duration)));
    }
    return job.fails ? 'failed' : 'done';
  }

  private record(job: Job, now: number): ExportRecord {
    const status = this.status(job, now);
    const updatedAt = job.finishedAt ?? job.createdAt;
    const extra = job.attributes.length;
    return {
      id: job.id,
      // Started with an App API key, not by a user of the UI.
      user_id: 0,
      user_email: '',
      total: status === 'done' ? (job.matched ?? 0) : 0,
      deduplicate_id: `${job.id}:${updatedAt}`,
      type: 'customers',
      failed: status === 'failed',
      status,
      description: `Customers export via the App API${extra > 0 ? ` with ${extra} attribute column${extra === 1 ? '' : 's'}` : ''}`,
      downloads: job.downloads,
      created_at: job.createdAt,
      updated_at: updatedAt,
    };
  }
}

/** The columns of a customers export file: `cio_id,id,email` and one per requested attribute, as requested. */
export function exportColumns(attributes: readonly string[]): string[] {
  return ['cio_id', 'id', 'email', ...attributes];
}

/**
 * The rows of a customers export by person index (never held in memory): people matching
 * `filter` at workspace time `at`, in index order, each `cio_id, id, email` and the requested
 * attributes as strings, '' where the person has none. Values are those of
 * POST /v1/customers/attributes at the same clock (data/people.ts `customer`). `deletionBatch`
 * and `peopleBatch`: the deletes and people changes between syncs that count (matchesAudience).
 * People created between syncs come after the generated ones.
 */
export function* exportRows(
  world: World,
  filter: AudienceFilter,
  attributes: readonly string[],
  at: number,
  deletionBatch = Infinity,
  peopleBatch = Infinity,
): Generator<string[]> {
  const people = world.people;
  for (let p = 0; p < people.total; p++) {
    if (!matchesAudience(world, filter, p, at, deletionBatch, peopleBatch)) continue;
    const who = people.currentIdentity(p, peopleBatch);
    const row = [who.cio_id, who.id ?? '', who.email ?? ''];
    if (attributes.length > 0) {
      const values = people.customer(p, at, peopleBatch).attributes;
      for (const name of attributes) row.push(Object.hasOwn(values, name) ? (values[name] ?? '') : '');
    }
    yield row;
  }
}

/** One CSV record (RFC 4180): cells with a comma, quote, CR or LF are quoted, quotes doubled; CRLF ends it. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')}\r\n`;
}
