import { cursorValue } from '../engine/chunk.js';
import type { ChangeFeed, Row } from '../engine/stream.js';

const DAY = 86_400;

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/**
 * The workspace activity feed (GET /v1/activities, newest first, 100 a page) as a stream's feed
 * of changes: what each stream adds is which walks it makes and what an entry names.
 */
export function activityFeed(of: Pick<ChangeFeed, 'walks' | 'keyOf'> & Partial<Pick<ChangeFeed, 'removedBy' | 'groups'>>): ChangeFeed {
  return {
    path: '/v1/activities',
    records: 'activities',
    pagination: { kind: 'cursor', next: 'next', param: 'start', pageSize: { param: 'limit', value: 100 } },
    // 30 days are guaranteed (customerio-api.md §5.3, §7.6); what is older may be gone.
    reachSeconds: 30 * DAY,
    idOf: (activity) => text(activity['id']),
    timeOf: (activity) => cursorValue(activity, 'timestamp'),
    removedBy: () => undefined,
    ...of,
  };
}

/** The person an activity names: customer_id is null in workspaces with several identifiers (§5.3), cio_id always names the person. */
export const personOf = (activity: Row): string | undefined => text((activity['customer_identifiers'] as Row | null | undefined)?.['cio_id']);

/** The object an object activity (`_o:…`) names, in its data: it names no person. */
export const objectOf = (activity: Row): string | undefined => text((activity['data'] as Row | null | undefined)?.['object_id']);

/** A merge is written on the survivor; the profile merged away is named only in its data. */
export const mergedAway = (activity: Row): string | undefined => text((activity['data'] as Row | null | undefined)?.['merged_cio_id']);
