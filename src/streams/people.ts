import { defineStream, type Row } from '../engine/stream.js';
import { activityFeed, mergedAway, personOf } from './activity-feed.js';

/** Matches every person: each profile has a cio_id. */
export const EVERYONE = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

function searchIds(body: Row): string[] {
  const identifiers = body['identifiers'];
  if (Array.isArray(identifiers)) return identifiers.map((entry: Row) => String(entry['cio_id']));
  const ids = body['ids'];
  return Array.isArray(ids) ? ids.map(String) : [];
}

/** Docs show each item wrapped as {customer: {...}}, live answers are bare: accept both. */
function customers(body: Row): Row[] {
  const list = body['customers'];
  if (!Array.isArray(list)) return [];
  return list.map((item: Row) => (item['customer'] && typeof item['customer'] === 'object' ? (item['customer'] as Row) : item));
}

const DAY = 86_400;

/**
 * The activity types that change a profile (customerio-api.md §5.3 "Activity types that change a
 * profile"), each walked on its own: the feed has no time filter, and a walk per type stops at
 * the first page older than the bookmark instead of paging through every email event.
 * `failed_attribute_change` and `skipped_update` changed nothing; relationship types change no
 * profile field this stream carries.
 */
export const PROFILE_CHANGES = [
  'attribute_change',
  'profile_create',
  'profile_merge',
  'anon_merge',
  'device_change',
  'unsubscribed_email',
  'topic_unsubscribed_email',
  'unsubscribed_action',
] as const;

/** A deleted person's activities, the profile_delete among them, are served only with deleted=true. */
export const PROFILE_REMOVALS = ['profile_delete'] as const;

/** The workspace activity feed, as people's feed of changes. */
const peopleFeed = activityFeed({
  walks: () => [
    ...PROFILE_CHANGES.map((type) => ({ query: { type } })),
    ...PROFILE_REMOVALS.map((type) => ({ query: { type, deleted: true }, removes: true })),
  ],
  keyOf: personOf,
  removedBy: mergedAway,
});

export const people = defineStream({
  name: 'people',
  scope: 'People',
  personalData: true,
  resumable: true,
  estimateFrom: 'people',
  method: 'POST',
  path: '/v1/customers',
  records: customers,
  primaryKey: [['cio_id']],
  // people_full_every_days sets how often everyone is read again (streams/settings.ts).
  cursor: { mode: 'change-feed', field: 'changed_at', feed: peopleFeed, fullEverySeconds: 7 * DAY },
  pagination: {
    kind: 'search-then-hydrate',
    search: { path: '/v1/customers', body: () => EVERYONE, pageSize: 1000, idsFrom: searchIds },
    hydrate: {
      batchSize: 100,
      request: (ids) => ({ method: 'POST', path: '/v1/customers/attributes', query: { id_type: 'cio_id' }, body: { ids } }),
      records: customers,
    },
  },
  transform: (person) => {
    const identifiers = person['identifiers'] as Row | undefined;
    return { cio_id: identifiers?.['cio_id'] ?? person['cio_id'] ?? null, ...person };
  },
});
