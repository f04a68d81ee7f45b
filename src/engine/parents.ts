import type { SyncContext } from './context.js';
import { pages } from './paginate.js';
import { eachPartition, partitionsOf } from './partitions.js';
import { isPartitioned, type Row, type StreamDef } from './stream.js';

/**
 * Every record of a stream, read once per sync and shared: the campaigns list serves the
 * campaigns stream and every campaign's actions, the actions serve their metrics, without a
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
