import type { Selection } from '../engine/sync.js';
import type { Row } from '../engine/stream.js';
import type { ApiClient } from '../http/client.js';
import type { Logger } from '../logger.js';
import type { TapEvent } from '../protocol/events.js';
import type { WorkspaceCounts } from '../streams/people-export.js';
import { PROBE_PATH } from './connect.js';

/**
 * The counts from the one call that has them: the workspaces list, already read when the region
 * was detected, else asked the first time someone needs it (row estimates, people_source auto),
 * and shared after that.
 */
export function workspaceCounts(api: ApiClient, probed: unknown, logger: Logger): WorkspaceCounts {
  let asked: Promise<Row | undefined> | undefined;
  return () => {
    asked ??= (async () => {
      let body = probed;
      if (body === undefined) {
        try {
          body = await api.request({ path: PROBE_PATH });
        } catch (error) {
          logger.log('DEBUG', `No workspace counts: ${(error as Error).message}`);
          return undefined;
        }
      }
      const list = (body as { workspaces?: unknown } | null)?.workspaces;
      return Array.isArray(list) ? (list[0] as Row | undefined) : undefined;
    })();
    return asked;
  };
}

/**
 * Row estimates for the Airbyte progress bar; nothing is asked when no counted stream is selected.
 * An incremental read from a change feed emits what changed, mostly a handful of rows, not the
 * count: it gets no estimate, and an idle sync spends no request on one.
 */
export async function estimateEvents(counts: WorkspaceCounts, selections: Selection[]): Promise<TapEvent[]> {
  const counted = selections.filter((s) => s.def.estimateFrom !== undefined && !(s.mode === 'incremental' && s.def.cursor?.mode === 'change-feed'));
  if (counted.length === 0) return [];
  const workspace = await counts();
  if (!workspace) return [];
  return counted.flatMap(({ def }) => {
    const rows = workspace[def.estimateFrom as string];
    return typeof rows === 'number' && Number.isFinite(rows) ? [{ kind: 'estimate' as const, stream: def.name, rows }] : [];
  });
}
