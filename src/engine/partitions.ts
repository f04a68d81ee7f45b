import { TapError } from '../errors.js';
import type { SyncContext } from './context.js';
import type { Chunk } from './chunk.js';
import { merge } from './merge.js';
import { pages } from './paginate.js';
import { isPartitioned, type Row, type StreamDef } from './stream.js';

export interface Partition {
  key: string;
  parent: Row;
}

/** The partitions of a stream: its parent stream's records, or a fixed list. */
export async function partitionsOf(ctx: SyncContext, def: StreamDef): Promise<Partition[]> {
  if (def.fixedPartitions) {
    const { rows, key } = def.fixedPartitions;
    return rows.map((row) => ({ key: key(row), parent: row }));
  }
  const link = def.parent;
  if (!link) throw new Error(`stream ${def.name} has no partitions`);
  const parents = await listAll(ctx, link.stream);
  return parents.map((parent) => ({ key: link.key(parent), parent }));
}

/**
 * Reads partitions concurrently under the shared rate limit. A parent deleted mid-sync answers
 * 404 on its children: that partition is skipped with a log line, the others go on.
 */
export function eachPartition(
  ctx: SyncContext,
  def: StreamDef,
  partitions: Iterable<Partition>,
  read: (partition: Partition) => AsyncGenerator<Chunk>,
  onGone?: (partition: Partition) => Chunk | Chunk[] | undefined,
): AsyncGenerator<Chunk> {
  const guarded = function* (): Generator<AsyncGenerator<Chunk>> {
    for (const partition of partitions) yield skipIfGone(ctx, def, partition, read, onGone);
  };
  return merge(guarded(), ctx.concurrency.partitions);
}

async function* skipIfGone(
  ctx: SyncContext,
  def: StreamDef,
  partition: Partition,
  read: (partition: Partition) => AsyncGenerator<Chunk>,
  onGone: ((partition: Partition) => Chunk | Chunk[] | undefined) | undefined,
): AsyncGenerator<Chunk> {
  try {
    yield* read(partition);
  } catch (error) {
    if (error instanceof TapError && error.code === 'NOT_FOUND' && def.parent?.onGone === 'skip') {
      ctx.logger.log('INFO', `${def.name}: ${def.parent.stream.name} ${partition.key} no longer exists (404); skipped`);
      const chunks = onGone?.(partition);
      if (chunks) yield* Array.isArray(chunks) ? chunks : [chunks];
      return;
    }
    throw error;
  }
}

/**
 * Every record of a stream, read once per sync and shared: a parent list serves its own stream
 * and every child stream read through it (and their children), without a
 * second request.
 */
export function listAll(ctx: SyncContext, def: StreamDef): Promise<Row[]> {
  let cached = ctx.parentCache.get(def.name);
  if (!cached) {
    cached = (async () => {
      const all: Row[] = [];
      if (!isPartitioned(def)) {
        for await (const page of pages(ctx, def)) all.push(...page.records);
        return all;
      }
      const partitions = await partitionsOf(ctx, def);
      for await (const chunk of eachPartition(ctx, def, partitions, async function* ({ parent }) {
        for await (const page of pages(ctx, def, { parent })) yield { records: page.records };
      })) {
        if ('records' in chunk) all.push(...chunk.records);
      }
      return all;
    })();
    cached.catch(() => undefined);
    ctx.parentCache.set(def.name, cached);
  }
  return cached;
}
