import { TapError } from '../errors.js';
import type { Query } from '../http/client.js';
import type { SyncContext } from './context.js';
import { mapOrderedAsync } from './merge.js';
import { emitted, pathFor, queryFor, type Pagination, type RecordsLocator, type Row, type StreamDef } from './stream.js';

export interface Page {
  /** Records as the stream emits them (its transform applied). */
  records: Row[];
  /** Token for the following page; undefined at the end. Resuming with it continues there. */
  next: string | undefined;
}

export interface PageOptions {
  parent?: Row;
  start?: string; // resume from this token
  query?: Query; // e.g. a time window
  pageSize?: number; // override (probes ask for 1)
}

/**
 * Walks one partition of a stream, whatever its pagination, a page at a time. Cursor lists stop
 * on "", null or a missing `next`; an empty page that still carries a token keeps going (the API
 * does that); a token seen twice is an error, never an endless loop.
 */
export async function* pages(ctx: SyncContext, def: StreamDef, options: PageOptions = {}): AsyncGenerator<Page> {
  const pagination = def.pagination;
  const raw = pagination.kind === 'search-then-hydrate' ? searchPages(ctx, def, pagination, options) : listPages(ctx, def, pagination, options);
  const seen = new Set<string>();
  for await (const page of raw) {
    yield { records: def.transform || def.fromParent ? page.records.map((r) => emitted(def, r, options.parent)) : page.records, next: page.next };
    if (page.next === undefined) return;
    if (seen.has(page.next)) {
      throw new TapError('API_RESPONSE_INVALID', `${pathFor(def, options.parent)} returned the page token "${page.next}" twice`, {
        hint: 'The API is repeating itself; the stream stopped instead of looping. Retry the sync later',
        stream: def.name,
      });
    }
    seen.add(page.next);
  }
}

/**
 * A sample of N records asks for pages of N, not of a thousand; except a newest-first feed,
 * which may have to page past newer records to reach the range, where full pages cost fewer calls.
 */
function sized(ctx: SyncContext, def: StreamDef, pageSize: number): number {
  if (ctx.recordLimit === undefined || def.cursor?.mode === 'feed') return pageSize;
  return Math.max(1, Math.min(pageSize, ctx.recordLimit));
}

type ListPagination = Exclude<Pagination, { kind: 'search-then-hydrate' }>;

async function* listPages(ctx: SyncContext, def: StreamDef, pagination: ListPagination, options: PageOptions): AsyncGenerator<Page> {
  const path = pathFor(def, options.parent);
  let token = options.start;
  for (;;) {
    const query: Query = { ...queryFor(def, options.parent), ...options.query };
    if (pagination.kind === 'cursor') {
      if (pagination.pageSize) query[pagination.pageSize.param] = sized(ctx, def, options.pageSize ?? pagination.pageSize.value);
      if (token !== undefined) query[pagination.param] = token;
    }
    const limit = sized(ctx, def, options.pageSize ?? (pagination.kind === 'offset' ? pagination.pageSize : 0));
    if (pagination.kind === 'offset') {
      query[pagination.limitParam] = limit;
      query[pagination.offsetParam] = token === undefined ? 0 : Number(token);
    }
    const body = expectObject(await ctx.api.request<unknown>({ method: def.method ?? 'GET', path, query }), def, path);
    const records = extractRecords(body, def.records, options.parent, def, path);
    let next: string | undefined;
    if (pagination.kind === 'cursor') next = readNextToken(body, pagination.next, def, path);
    if (pagination.kind === 'offset' && records.length >= limit && records.length > 0) next = String(Number(token ?? 0) + records.length);
    yield { records, next };
    if (next === undefined) return;
    token = next;
  }
}

export type SearchThenHydrate = Extract<Pagination, { kind: 'search-then-hydrate' }>;

/**
 * Search pages give ids; each page's ids are hydrated in batches, several at once, while the
 * next search page is already on its way. A page's `next` is the search token after it.
 */
async function* searchPages(ctx: SyncContext, def: StreamDef, spec: SearchThenHydrate, options: PageOptions): AsyncGenerator<Page> {
  const { parent } = options;
  const search = (start: string | undefined) => searchOnce(ctx, def, spec, { ...options, start });
  const hydrate = (ids: string[]) => hydrateIds(ctx, def, spec, ids, parent);
  type Task = { ids: string[] } | { end: string | undefined };
  // Batches of every search page in one ordered pipeline: the next page's batches start while
  // this page's last ones are still out, so no rate-limit slot is left unused at page ends.
  const tasks = async function* (): AsyncGenerator<Task> {
    let current = search(options.start);
    for (;;) {
      const { ids, next } = await current;
      if (next !== undefined) {
        current = search(next);
        current.catch(() => undefined); // awaited on the next turn
      }
      for (const batch of batches(ids, spec.hydrate.batchSize)) yield { ids: batch };
      yield { end: next };
      if (next === undefined) return;
    }
  };
  let records: Row[] = [];
  const run = (task: Task): Promise<Row[] | { end: string | undefined }> => ('ids' in task ? hydrate(task.ids) : Promise.resolve(task));
  for await (const done of mapOrderedAsync(tasks(), ctx.concurrency.hydrate, run)) {
    if (Array.isArray(done)) {
      records.push(...done);
      continue;
    }
    yield { records, next: done.end };
    records = [];
    if (done.end === undefined) return;
  }
}

/** One page of a search: its ids and the token of the next. */
export async function searchOnce(
  ctx: SyncContext,
  def: StreamDef,
  spec: SearchThenHydrate,
  options: PageOptions,
): Promise<{ ids: string[]; next: string | undefined }> {
  const query = { limit: sized(ctx, def, options.pageSize ?? spec.search.pageSize), ...(options.start === undefined ? {} : { start: options.start }) };
  const body = expectObject(
    await ctx.api.request({ method: 'POST', path: spec.search.path, query, body: spec.search.body(options.parent) }),
    def,
    spec.search.path,
  );
  return { ids: spec.search.idsFrom(body), next: readNextToken(body, 'next', def, spec.search.path) };
}

/**
 * The full objects of these ids, as the API serves them (not yet emitted): one hydrate request,
 * or, for a hydrate answer that pages on, each of its pages in turn.
 */
export async function hydrateIds(ctx: SyncContext, def: StreamDef, spec: SearchThenHydrate, ids: string[], parent: Row | undefined): Promise<Row[]> {
  const { hydrate } = spec;
  const out: Row[] = [];
  let start: string | undefined;
  do {
    const first = hydrate.request(ids, parent);
    const request = start === undefined || !hydrate.next ? first : { ...first, query: { ...first.query, [hydrate.next.param]: start } };
    let answer: unknown;
    try {
      answer = await ctx.api.request(request);
    } catch (error) {
      // Deleted between the search and now: it no longer exists to be read.
      if (error instanceof TapError && error.code === 'NOT_FOUND') return [];
      throw error;
    }
    const body = expectObject(answer, def, request.path);
    out.push(...extractRecords(body, hydrate.records, parent, def, request.path, ids));
    start = hydrate.next ? readNextToken(body, hydrate.next.field, def, request.path) : undefined;
  } while (start !== undefined);
  return out;
}

export function* batches<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export function expectObject(body: unknown, def: StreamDef, path: string): Row {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TapError('API_RESPONSE_INVALID', `${path} returned ${Array.isArray(body) ? 'an array' : String(body)} where a JSON object was expected`, {
      hint: 'A proxy may be answering instead of the API: check the base URL',
      stream: def.name,
    });
  }
  return body as Row;
}

export function extractRecords(body: Row, locator: RecordsLocator, parent: Row | undefined, def: StreamDef, path: string, ids?: readonly string[]): Row[] {
  if (typeof locator === 'function') return locator(body, parent, ids);
  if (!(locator in body)) {
    throw new TapError('API_RESPONSE_INVALID', `${path} returned a body without "${locator}" (keys: ${Object.keys(body).slice(0, 8).join(', ') || 'none'})`, {
      hint: 'A proxy may be answering instead of the API, or the API changed: check the base URL, retry later',
      stream: def.name,
    });
  }
  const value = body[locator];
  if (value === null) return []; // the API sends null for an empty list
  if (!Array.isArray(value)) {
    throw new TapError('API_RESPONSE_INVALID', `${path} returned "${locator}" as ${typeof value}, not a list`, { stream: def.name });
  }
  return value as Row[];
}

export function readNextToken(body: Row, field: string, def: StreamDef, path: string): string | undefined {
  const next = body[field];
  if (next === undefined || next === null || next === '') return undefined;
  if (typeof next !== 'string') {
    throw new TapError('API_RESPONSE_INVALID', `${path} returned "${field}" as ${typeof next}, not a string token`, {
      hint: 'A proxy may be answering instead of the API, or the API changed',
      stream: def.name,
    });
  }
  return next;
}
