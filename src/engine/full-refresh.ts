import { TapError } from '../errors.js';
import type { SyncContext } from './context.js';
import { transformed, type Chunk } from './chunk.js';
import { mapOrdered } from './merge.js';
import { expectObject, extractRecords, pages, readNextToken } from './paginate.js';
import { listAll } from './parents.js';
import { eachPartition, partitionsOf } from './partitions.js';
import type { Pagination, Row, StreamDef } from './stream.js';

/** Every record, no bookmark. Partitioned streams checkpoint finished partitions as they go. */
export async function* readFullRefresh(ctx: SyncContext, def: StreamDef, state: unknown): AsyncGenerator<Chunk> {
  if (def.pagination.kind === 'search-then-hydrate') {
    yield* readSearchThenHydrate(ctx, def, def.pagination, def.resumable ? resumeOf(state) : {});
  } else if (def.parent) {
    yield* readPartitions(ctx, def, def.resumable ? resumeOf(state) : {});
  } else if (def.pagination.kind === 'none') {
    const records = await listAll(ctx, def);
    if (records.length > 0) yield { records };
  } else {
    for await (const page of pages(ctx, def)) {
      const records = transformed(page.records, def.transform);
      if (records.length > 0) yield { records };
    }
  }
  // An empty state marks a finished full refresh: the next sync starts from the beginning.
  yield { checkpoint: {} };
}

interface Resume {
  start?: string; // search-then-hydrate: the search page to continue from
  done?: string[]; // partitions finished in the interrupted sync
  open?: Record<string, string>; // partition -> page token to continue from
}

function resumeOf(state: unknown): Resume {
  const resume = state && typeof state === 'object' ? (state as Row)['resume'] : undefined;
  if (!resume || typeof resume !== 'object') return {};
  const { start, done, open } = resume as Resume;
  return {
    ...(typeof start === 'string' ? { start } : {}),
    ...(Array.isArray(done) ? { done: done.map(String) } : {}),
    ...(open && typeof open === 'object' ? { open: { ...open } } : {}),
  };
}

async function* readPartitions(ctx: SyncContext, def: StreamDef, resume: Resume): AsyncGenerator<Chunk> {
  const done = new Set(resume.done ?? []);
  const open: Record<string, string> = { ...resume.open };
  const snapshot = (): Chunk => ({
    checkpoint: def.resumable ? { resume: { done: [...done], open: { ...open } } } : {},
  });
  const partitions = (await partitionsOf(ctx, def)).filter((p) => !done.has(p.key));
  if (done.size > 0) ctx.logger.log('INFO', `${def.name}: resuming, ${done.size} partitions already read`);
  const finish = (key: string): Chunk => {
    done.add(key);
    delete open[key];
    return snapshot();
  };
  yield* eachPartition(
    ctx,
    def,
    partitions,
    async function* ({ key, parent }) {
      const start = open[key];
      for await (const page of pages(ctx, def, start === undefined ? { parent } : { parent, start })) {
        const records = transformed(page.records, def.transform, parent);
        if (records.length > 0) yield { records };
        if (page.next !== undefined) {
          open[key] = page.next;
          if (def.resumable) yield snapshot();
        }
      }
      yield finish(key);
    },
    ({ key }) => finish(key),
  );
}

type SearchThenHydrate = Extract<Pagination, { kind: 'search-then-hydrate' }>;

/**
 * Search pages give ids; each page's ids are hydrated in batches, several at once, while the
 * next search page is already on its way. The search token is checkpointed after each page.
 */
async function* readSearchThenHydrate(ctx: SyncContext, def: StreamDef, spec: SearchThenHydrate, resume: Resume): AsyncGenerator<Chunk> {
  const search = async (start: string | undefined): Promise<{ ids: string[]; next: string | undefined }> => {
    const query = { limit: spec.search.pageSize, ...(start === undefined ? {} : { start }) };
    const body = expectObject(await ctx.api.request({ method: 'POST', path: spec.search.path, query, body: spec.search.body }), def, spec.search.path);
    return { ids: spec.search.idsFrom(body), next: readNextToken(body, 'next', def, spec.search.path) };
  };
  const hydrate = async (ids: string[]): Promise<Row[]> => {
    const body = expectObject(
      await ctx.api.request({ method: 'POST', path: spec.hydrate.path, query: spec.hydrate.query, body: { ids } }),
      def,
      spec.hydrate.path,
    );
    return transformed(extractRecords(body, spec.hydrate.records, undefined, def, spec.hydrate.path), def.transform);
  };

  const seen = new Set<string>();
  let current = search(resume.start);
  if (resume.start !== undefined) ctx.logger.log('INFO', `${def.name}: resuming from a checkpointed search page`);
  for (;;) {
    const { ids, next } = await current;
    if (next !== undefined) {
      if (seen.has(next)) {
        throw new TapError('API_RESPONSE_INVALID', `POST ${spec.search.path} returned the page token "${next}" twice`, { stream: def.name });
      }
      seen.add(next);
      current = search(next);
      current.catch(() => undefined); // awaited on the next turn
    }
    for await (const records of mapOrdered(batches(ids, spec.hydrate.batchSize), ctx.concurrency.hydrate, hydrate)) {
      if (records.length > 0) yield { records };
    }
    if (next === undefined) return;
    if (def.resumable) yield { checkpoint: { resume: { start: next } } };
  }
}

function* batches<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
