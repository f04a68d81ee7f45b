import type { Selection } from '../engine/sync.js';
import type { ApiClient } from '../http/client.js';
import type { Logger } from '../logger.js';
import type { TapEvent } from '../protocol/events.js';
import { PROBE_PATH } from './connect.js';

/**
 * Row estimates for the Airbyte progress bar, from the one call that has counts: the workspaces
 * list (already read when the region was detected). Nothing is asked when no counted stream is
 * selected.
 */
export async function estimateEvents(api: ApiClient, workspaces: unknown, selections: Selection[], logger: Logger): Promise<TapEvent[]> {
  const counted = selections.filter((s) => s.def.estimateFrom !== undefined);
  if (counted.length === 0) return [];
  let body = workspaces;
  if (body === undefined) {
    try {
      body = await api.request({ path: PROBE_PATH });
    } catch (error) {
      logger.log('DEBUG', `No row estimates: ${(error as Error).message}`);
      return [];
    }
  }
  const list = (body as { workspaces?: unknown })?.workspaces;
  const workspace = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
  if (!workspace) return [];
  return counted.flatMap(({ def }) => {
    const rows = workspace[def.estimateFrom as string];
    return typeof rows === 'number' && Number.isFinite(rows) ? [{ kind: 'estimate' as const, stream: def.name, rows }] : [];
  });
}
