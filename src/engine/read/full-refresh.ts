import type { SyncContext } from '../context.js';
import type { Chunk } from '../chunk.js';
import { pages } from '../paginate.js';
import { eachPartition, listAll, partitionsOf } from '../partitions.js';
import { isPartitioned, type Row, type StreamDef } from '../stream.js';
import type { Reader } from './reader.js';

/**
 * Every record, no bookmark. Resumable streams checkpoint their page token (or, partitioned,
 * their finished partitions) as they go; a finished full refresh leaves an empty state.
 */
export async function* readFullRefresh(ctx: SyncContext, def: StreamDef, state: unknown): AsyncGenerator<Chunk> {
  const resume = def.resumable ? resumeOf(state) : {};
  if (isPartitioned(def)) {
    yield* readPartitions(ctx, def, resume);
  } else if (def.pagination.kind === 'none') {
    const records = await listAll(ctx, def);
    if (records.length > 0) yield { records };
  } else {
    if (resume.start !== undefined) ctx.logger.log('INFO', `${def.name}: resuming from a checkpointed page`);
    for await (const page of pages(ctx, def, resume.start === undefined ? {} : { start: resume.start })) {
      if (page.records.length > 0) yield { records: page.records };
      if (def.resumable && page.next !== undefined) yield { checkpoint: { resume: { start: page.next } } };
    }
  }
  yield { checkpoint: {} };
}

interface Resume {
  start?: string; // the page to continue from
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
  const snapshot = (): Chunk => ({ checkpoint: def.resumable ? { resume: { done: [...done], open: { ...open } } } : {} });
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
        if (page.records.length > 0) yield { records: page.records };
        if (page.next !== undefined && def.resumable) {
          open[key] = page.next;
          yield snapshot();
        }
      }
      yield finish(key);
    },
    ({ key }) => finish(key),
  );
}

/**
 * State: `{}` once finished; `{resume: {start}}` (a page token) or `{resume: {done, open}}`
 * (partitions finished, and the page each open one reached) for resumable streams under way.
 * Anything else a saved state holds (an incremental bookmark) means nothing to a full refresh.
 */
export const fullRefreshReader: Reader = {
  reads: (def, mode) => mode === 'full_refresh' || !def.cursor,
  loadState: (_def, saved) => saved,
  read: (ctx, def, state) => readFullRefresh(ctx, def, state),
};
