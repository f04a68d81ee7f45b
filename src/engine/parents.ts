import type { SyncContext } from './context.js';
import { pages } from './paginate.js';
import { transformed } from './chunk.js';
import type { Row, StreamDef } from './stream.js';

/**
 * Every record of an unpartitioned list, read once per sync: the campaigns list serves the
 * campaigns stream and every campaign's actions without a second request.
 */
export function listAll(ctx: SyncContext, def: StreamDef): Promise<Row[]> {
  let cached = ctx.parentCache.get(def.name);
  if (!cached) {
    cached = (async () => {
      const all: Row[] = [];
      for await (const page of pages(ctx, def)) all.push(...transformed(page.records, def.transform));
      return all;
    })();
    cached.catch(() => undefined);
    ctx.parentCache.set(def.name, cached);
  }
  return cached;
}
