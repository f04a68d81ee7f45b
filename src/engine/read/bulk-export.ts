import type { Readable } from 'node:stream';
import { TapError } from '../../errors.js';
import { DownloadError, openDownload } from '../../http/download.js';
import { CheckpointDue } from '../checkpoint.js';
import type { Chunk } from '../chunk.js';
import type { SyncContext } from '../context.js';
import { csvRows, type CsvRow } from '../csv-file.js';
import { batches, expectObject, hydrateIds, searchOnce, type SearchThenHydrate } from '../paginate.js';
import { emitted, keyFields, keyText, type BulkExport, type ExportJob, type Row, type StreamDef } from '../stream.js';
import { fullRefreshReader } from './full-refresh.js';
import type { Reader } from './reader.js';

/** Where an interrupted export stands: the job, its columns, and the rows already emitted (once checked). */
interface ExportState {
  job: string;
  columns: string[];
  emitted?: number;
}

/** The export cannot be trusted or read: the exact path is read instead (nothing was emitted yet). */
class Fallback extends Error {}

const EMIT_BATCH = 500;
const POLL_FIRST_MS = 1000;
const POLL_MAX_MS = 30_000;
const DOWNLOAD_TRIES = 3;

/**
 * A whole stream from an export file, checked against the exact path before one row is emitted:
 *
 * 1. One search page gives ids the file must hold; unless columns are configured, a sample of
 *    them hydrated the exact way names the columns.
 * 2. The job is started and polled with a growing pause (other streams use the budget meanwhile).
 * 3. A first pass over the file counts its rows against the job's total, finds those ids, and
 *    keeps a random sample; the sample is hydrated the exact way and compared.
 * 4. A second pass emits, checkpointing `{export: {job, columns, emitted}}`: a killed sync
 *    continues from that row of the same job; a job that is gone is exported again.
 *
 * A failed or late job, an unreadable file or a disagreement before step 4 reads the exact
 * path instead, with a WARN that says why.
 */
async function* readBulkExport(ctx: SyncContext, def: StreamDef, bulk: BulkExport, state: unknown): AsyncGenerator<Chunk> {
  const spec = def.pagination;
  if (spec.kind !== 'search-then-hydrate') throw new Error(`${def.name}: a bulk export needs search-then-hydrate pagination to check against`);
  const saved = exportStateOf(state);
  // An interrupted sync that had fallen back to the exact path goes on there.
  if (!saved && isObject(state) && 'resume' in state) return yield* fullRefreshReader.read(ctx, def, state, 'full_refresh');
  if (!saved) {
    const choice = await bulk.choose();
    ctx.logger.log('INFO', `${def.name}: ${choice.why}`);
    if (!choice.use) return yield* fullRefreshReader.read(ctx, def, state, 'full_refresh');
    if (bulk.cannotCarry.length > 0)
      ctx.logger.log('INFO', `${def.name}: an export cannot carry ${bulk.cannotCarry.join(', ')}: they are empty in its records`);
  }
  const run = new ExportRun(ctx, def, bulk, spec);
  try {
    yield* run.read(saved);
  } catch (error) {
    if (!(error instanceof Fallback)) throw error;
    ctx.logger.log('WARN', `${def.name}: read by search instead of export: ${error.message}`);
    yield* fullRefreshReader.read(ctx, def, {}, 'full_refresh');
  }
}

class ExportRun {
  /** Computed once: every row of a file of millions is keyed. */
  private readonly keys: string[];

  constructor(
    private readonly ctx: SyncContext,
    private readonly def: StreamDef,
    private readonly bulk: BulkExport,
    private readonly spec: SearchThenHydrate,
  ) {
    this.keys = keyFields(def);
  }

  async *read(saved: ExportState | undefined): AsyncGenerator<Chunk> {
    let current = saved;
    let job: ExportJob | undefined;
    if (current) {
      job = await this.jobOrGone(current.job);
      if (!job || job.status === 'failed') {
        this.ctx.logger.log(
          'WARN',
          `${this.def.name}: the export job ${current.job} of the interrupted sync is ${job ? 'failed' : 'gone'}; exporting again${current.emitted ? ` (the ${current.emitted} records already emitted will be emitted again)` : ''}`,
        );
        current = undefined;
        job = undefined;
      } else {
        this.ctx.logger.log(
          'INFO',
          `${this.def.name}: continuing export job ${current.job}${current.emitted === undefined ? '' : ` from row ${current.emitted}`}`,
        );
      }
    }
    let expected: Set<string> | undefined;
    if (current?.emitted === undefined) expected = new Set((await searchOnce(this.ctx, this.def, this.spec, {})).ids);
    if (!current) {
      const learnedFrom = this.bulk.configured ? [] : await this.exact(sample([...(expected ?? [])], this.bulk.sampleSize));
      const columns = this.bulk.columns(learnedFrom);
      const started = this.bulk.job(
        expectObject(await this.refusedIsFallback(this.ctx.api.request(this.bulk.start(columns)), 'start'), this.def, 'export start'),
      );
      if (!started) throw new Fallback('the export could not be started (the answer named no job)');
      current = { job: started.id, columns };
      this.ctx.logger.log('INFO', `${this.def.name}: export job ${started.id} started with ${columns.length} columns`);
      yield { checkpoint: { export: { ...current } } };
    }
    job = await this.waitFor(current.job, job);
    const { columns } = current;
    if (current.emitted === undefined) {
      await this.check(job, columns, expected ?? new Set());
      current = { ...current, emitted: 0 };
      yield { checkpoint: { export: { ...current } } };
    }
    yield* this.emit(job, current as Required<ExportState>);
    yield { checkpoint: {} };
  }

  /** A key without the export permission, or a request the API rejects: the exact path may still work. */
  private async refusedIsFallback<T>(answer: Promise<T>, what: string): Promise<T> {
    try {
      return await answer;
    } catch (error) {
      if (error instanceof TapError && (error.code === 'FORBIDDEN' || error.code === 'REQUEST_REJECTED')) {
        throw new Fallback(`the API refused to ${what} the export (${error.message})`);
      }
      throw error;
    }
  }

  private async jobOrGone(id: string): Promise<ExportJob | undefined> {
    try {
      return this.bulk.job(expectObject(await this.ctx.api.request(this.bulk.status(id)), this.def, 'export status'));
    } catch (error) {
      if (error instanceof TapError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /**
   * Polls with a growing pause until the job is done; failed or late is a fallback. A status
   * just read (a resumed job) is the first answer: it is not asked for again.
   */
  private async waitFor(id: string, known?: ExportJob): Promise<ExportJob> {
    const deadline = this.ctx.clock.now() + this.bulk.timeoutSeconds * 1000;
    let pause = POLL_FIRST_MS;
    let answer = known;
    for (;;) {
      const job = answer ?? (await this.jobOrGone(id));
      answer = undefined;
      if (!job) throw new Fallback(`the export job ${id} disappeared (404)`);
      if (job.status === 'done') return job;
      if (job.status === 'failed') throw new Fallback(`the export job ${id} failed`);
      const left = deadline - this.ctx.clock.now();
      if (left <= 0) throw new Fallback(`the export job ${id} was still pending after ${this.bulk.timeoutSeconds / 60} minutes (export_timeout_minutes)`);
      await this.ctx.clock.sleep(Math.min(pause, left), this.ctx.signal);
      pause = Math.min(POLL_MAX_MS, pause * 2);
    }
  }

  /** The first pass: the whole file readable, as long as the job says, holding the ids, agreeing with a sample. */
  private async check(job: ExportJob, columns: string[], expected: Set<string>): Promise<void> {
    const missing = new Set(expected);
    const reservoir: Row[] = [];
    let rows = 0;
    for await (const record of this.records(job, columns, 0, 'check')) {
      const key = this.keyOf(record);
      missing.delete(key);
      // Reservoir sampling: every row has the same chance to be checked.
      if (reservoir.length < this.bulk.sampleSize) reservoir.push(record);
      else {
        const slot = Math.floor(Math.random() * (rows + 1));
        if (slot < reservoir.length) reservoir[slot] = record;
      }
      rows++;
    }
    if (rows !== job.total) throw new Fallback(`the export file has ${rows} rows where the job reported ${job.total}`);
    if (missing.size > 0) {
      throw new Fallback(`${missing.size} of ${expected.size} records of the first search page are not in the export (e.g. ${[...missing][0]})`);
    }
    const exact = new Map((await this.exact(reservoir.map((r) => this.keyOf(r)))).map((r) => [this.keyOf(r), r]));
    for (const record of reservoir) {
      const key = this.keyOf(record);
      const twin = exact.get(key);
      if (!twin) throw new Fallback(`${key} is in the export but not found the exact way`);
      const why = this.bulk.disagreement(record, twin, job, columns);
      if (why) throw new Fallback(`the export disagrees with the exact read for ${key}: ${why}`);
    }
    this.ctx.logger.log(
      'INFO',
      `${this.def.name}: export ${job.id} checked: ${rows} rows, ${expected.size} searched ids present, ${reservoir.length} sampled records agree`,
    );
  }

  private async *emit(job: ExportJob, state: Required<ExportState>): AsyncGenerator<Chunk> {
    let emittedRows = state.emitted;
    let batch: Row[] = [];
    const due = new CheckpointDue(this.ctx);
    const checkpoint = (): Chunk => ({ checkpoint: { export: { ...state, emitted: emittedRows } } });
    for await (const record of this.records(job, state.columns, state.emitted, 'emit')) {
      batch.push(record);
      if (batch.length < EMIT_BATCH) continue;
      yield { records: batch };
      emittedRows += batch.length;
      const dueNow = due.add(batch.length);
      batch = [];
      if (dueNow) {
        yield checkpoint();
        due.written();
      }
    }
    if (batch.length > 0) yield { records: batch };
    emittedRows += batch.length;
    if (emittedRows !== job.total) {
      throw new TapError(
        'EXPORT_UNREADABLE',
        `${this.def.name}: the export file gave ${emittedRows} rows on the second read where the job reported ${job.total}`,
        {
          hint: 'Run the sync again: it continues from the last STATE',
          stream: this.def.name,
        },
      );
    }
  }

  /**
   * The records of the file from row `from` on. A dropped connection opens the file again
   * (with a fresh link) and skips what was read; a file that does not parse is unreadable.
   */
  private async *records(job: ExportJob, columns: string[], from: number, pass: 'check' | 'emit'): AsyncGenerator<Row> {
    let next = from; // the row to yield next
    for (let attempt = 1; ; attempt++) {
      let body: Readable;
      try {
        body = await this.open(job);
      } catch (error) {
        const refused = error instanceof TapError && ['NOT_FOUND', 'FORBIDDEN', 'REQUEST_REJECTED'].includes(error.code);
        if (!(error instanceof DownloadError) && !refused) throw error;
        if (error instanceof DownloadError && attempt < DOWNLOAD_TRIES) {
          this.ctx.logger.log('WARN', `${this.def.name}: ${error.message}; opening it again`);
          continue;
        }
        throw this.unreadable(pass, (error as Error).message);
      }
      let row = 0;
      try {
        for await (const cells of csvRows(body)) {
          if (row++ < next) continue;
          const record = this.recordOf(cells, columns, row, pass);
          next = row;
          yield record;
        }
        return;
      } catch (error) {
        if (error instanceof Fallback || error instanceof TapError || this.ctx.signal.aborted) throw error;
        const code = (error as { code?: unknown }).code;
        const malformed = typeof code === 'string' && /^(CSV_|Z_)/.test(code);
        if (malformed || attempt >= DOWNLOAD_TRIES) throw this.unreadable(pass, `${(error as Error).message} (after row ${next})`);
        this.ctx.logger.log('WARN', `${this.def.name}: the export download broke after row ${next} (${(error as Error).message}); opening it again`);
      }
    }
  }

  private recordOf(cells: CsvRow, columns: string[], row: number, pass: 'check' | 'emit'): Row {
    const record = this.bulk.record(cells, columns);
    if (keyText(this.keys, record) === undefined) throw this.unreadable(pass, `row ${row} has no ${this.keys.join(', ')}`);
    return record;
  }

  /** Records reaching here have every key field (recordOf and the hydrated twins). */
  private keyOf(record: Row): string {
    return keyText(this.keys, record) ?? '';
  }

  private unreadable(pass: 'check' | 'emit', why: string): Error {
    if (pass === 'check') return new Fallback(`the export file could not be read: ${why}`);
    return new TapError('EXPORT_UNREADABLE', `${this.def.name}: the export file could not be read: ${why}`, {
      hint: 'Run the sync again: it continues from the last STATE',
      stream: this.def.name,
    });
  }

  /** Asks for the link just before opening it, and once more if it has already expired. */
  private async open(job: ExportJob): Promise<Readable> {
    const timeoutMs = 300_000;
    for (let asked = 1; ; asked++) {
      const answer = expectObject(await this.ctx.api.request(this.bulk.download(job.id)), this.def, 'export download');
      const url = this.bulk.url(answer);
      if (!url) throw new DownloadError('failed', 'the download answer carried no url');
      try {
        return await openDownload(url, { signal: this.ctx.signal, timeoutMs });
      } catch (error) {
        if (error instanceof DownloadError && error.refusal === 'expired' && asked < 2) continue;
        throw error;
      }
    }
  }

  /** Records read the exact way (hydrated by key), as the stream emits them. */
  private async exact(keys: string[]): Promise<Row[]> {
    const out: Row[] = [];
    for (const ids of batches(keys, this.spec.hydrate.batchSize)) {
      for (const record of await hydrateIds(this.ctx, this.def, this.spec, ids, undefined)) out.push(emitted(this.def, record, undefined));
    }
    return out;
  }
}

function sample<T>(items: T[], size: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, size);
}

function isObject(value: unknown): value is Row {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function exportStateOf(state: unknown): ExportState | undefined {
  const value = isObject(state) ? state['export'] : undefined;
  if (!isObject(value)) return undefined;
  const { job, columns, emitted: rows } = value;
  if ((typeof job !== 'string' && typeof job !== 'number') || !Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) return undefined;
  return { job: String(job), columns: columns as string[], ...(typeof rows === 'number' && Number.isInteger(rows) && rows >= 0 ? { emitted: rows } : {}) };
}

/**
 * State: `{export: {job, columns, emitted?}}` while an export is under way, or the full-refresh
 * reader's `{resume}` once it fell back to the exact path. A sample (preview, Singer --test) reads
 * a few records the exact way, never a whole export.
 */
export const bulkExportReader: Reader = {
  reads: (def, mode) => def.bulk !== undefined && fullRefreshReader.reads(def, mode),
  loadState: (def, saved, source) => fullRefreshReader.loadState(def, saved, source),
  read(ctx, def, state, mode) {
    if (ctx.recordLimit !== undefined || !def.bulk) return fullRefreshReader.read(ctx, def, state, mode);
    return readBulkExport(ctx, def, def.bulk, state);
  },
};
