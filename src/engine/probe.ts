import { asTapError, type TapError } from '../errors.js';
import type { SyncContext } from './context.js';
import { pages } from './paginate.js';
import { listAll } from './partitions.js';
import type { Row, StreamDef } from './stream.js';

export type ProbeResult = { stream: string; readable: true; note?: string } | { stream: string; readable: false; error: TapError };

/**
 * One smallest request per stream, answering "may this key read it?". Lists already read
 * (a parent, or a stream's own unpaged list) are shared, so the whole catalog costs few calls.
 */
export async function probeStream(ctx: SyncContext, def: StreamDef): Promise<ProbeResult> {
  try {
    let parent: Row | undefined = def.fixedPartitions?.rows[0];
    if (def.parent) {
      const parents = await listAll(ctx, def.parent.stream);
      parent = parents[0];
      if (!parent) return { stream: def.name, readable: true, note: `no ${def.parent.stream.name} to read it through yet` };
    }
    const pagination = def.pagination;
    if (pagination.kind === 'search-then-hydrate') {
      await ctx.api.request({ method: 'POST', path: pagination.search.path, query: { limit: 1 }, body: pagination.search.body(parent) });
    } else if (pagination.kind === 'none' && !def.parent) {
      await listAll(ctx, def);
    } else {
      const query: Record<string, number> = {};
      if (def.cursor?.mode === 'server-window') {
        query[def.cursor.startParam] = ctx.syncStartedAt - 86_400;
        query[def.cursor.endParam] = ctx.syncStartedAt;
      }
      const first = pages(ctx, def, { ...(parent ? { parent } : {}), query, pageSize: 1 });
      await first.next();
      await first.return(undefined);
    }
    return { stream: def.name, readable: true };
  } catch (error) {
    return { stream: def.name, readable: false, error: asTapError(error) };
  }
}
