import { TapError } from '../errors.js';
import type { Query } from '../http/client.js';
import type { SyncContext } from './context.js';
import { pathFor, type RecordsLocator, type Row, type StreamDef } from './stream.js';

export interface Page {
  records: Row[];
  /** Token for the following page; undefined at the end. */
  next: string | undefined;
}

export interface PageOptions {
  parent?: Row;
  start?: string; // resume from this token
  query?: Query; // e.g. a time window
  pageSize?: number; // override (probes ask for 1)
}

/**
 * Walks a `none` or `cursor` paginated endpoint. Stops on "", null or a missing `next`;
 * an empty page that still carries a token keeps going (Customer.io does that); a token seen
 * twice is an error, never an endless loop.
 */
export async function* pages(ctx: SyncContext, def: StreamDef, options: PageOptions = {}): AsyncGenerator<Page> {
  const path = pathFor(def, options.parent);
  const pagination = def.pagination;
  const seen = new Set<string>();
  let token = options.start;
  for (;;) {
    const query: Query = { ...def.query, ...options.query };
    if (pagination.kind === 'cursor') {
      if (pagination.pageSize) query[pagination.pageSize.param] = options.pageSize ?? pagination.pageSize.value;
      if (token !== undefined) query[pagination.param] = token;
    }
    const body = await ctx.api.request<unknown>({ method: def.method ?? 'GET', path, query });
    const object = expectObject(body, def, path);
    const records = extractRecords(object, def.records, options.parent, def, path);
    if (pagination.kind !== 'cursor') {
      yield { records, next: undefined };
      return;
    }
    const next = readNextToken(object, pagination.next, def, path);
    yield { records, next };
    if (next === undefined) return;
    if (seen.has(next)) {
      throw new TapError('API_RESPONSE_INVALID', `GET ${path} returned the page token "${next}" twice`, {
        hint: 'The API is repeating itself; the stream stopped instead of looping. Retry the sync later',
        stream: def.name,
      });
    }
    seen.add(next);
    token = next;
  }
}

export function expectObject(body: unknown, def: StreamDef, path: string): Row {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TapError('API_RESPONSE_INVALID', `${path} returned ${Array.isArray(body) ? 'an array' : String(body)} where a JSON object was expected`, {
      hint: 'A proxy may be answering instead of Customer.io: check base_url',
      stream: def.name,
    });
  }
  return body as Row;
}

export function extractRecords(body: Row, locator: RecordsLocator, parent: Row | undefined, def: StreamDef, path: string): Row[] {
  if (typeof locator === 'function') return locator(body, parent);
  if (!(locator in body)) {
    throw new TapError('API_RESPONSE_INVALID', `${path} returned a body without "${locator}" (keys: ${Object.keys(body).slice(0, 8).join(', ') || 'none'})`, {
      hint: 'A proxy may be answering instead of Customer.io, or the API changed: check base_url, retry later',
      stream: def.name,
    });
  }
  const value = body[locator];
  if (value === null) return []; // Customer.io sends null for an empty list
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
      hint: 'A proxy may be answering instead of Customer.io, or the API changed',
      stream: def.name,
    });
  }
  return next;
}
