import { defineStream, type Row } from '../engine/stream.js';
import { activityFeed, mergedAway, objectOf, personOf } from './activity-feed.js';
import { objectRequest, objectSearch, perObject } from './objects.js';

const DAY = 86_400;

/**
 * The activity feed as object relationships' feed of changes, per object type: relationships
 * added to and removed from an object (`_o:<type>:add_relationship|delete_relationship`, which
 * name the object in `data.object_id`), objects deleted (their relationships go with them), and
 * the people side (customerio-api.md §5.3): a person deleted or merged away leaves every list
 * without an activity that names the object, and an attribute change may change the `id` or
 * `email` a list shows. Those name a member, found in the stored keys.
 * `_r:<type>:attribute_change` changes a relationship's own attributes, which the object's list
 * does not carry: it is not walked.
 */
const relationshipFeed = activityFeed({
  walks: (type) => {
    const id = String(type?.['id']);
    return [
      { query: { type: `_o:${id}:add_relationship` } },
      { query: { type: `_o:${id}:delete_relationship` } },
      { query: { type: `_o:${id}:delete`, deleted: true }, removes: true },
      { query: { type: 'attribute_change' }, names: 'member' },
      { query: { type: 'profile_merge' }, names: 'member' },
      { query: { type: 'profile_delete', deleted: true }, removes: true, names: 'member' },
    ];
  },
  // An object's activity names the object in data (customer_identifiers may be null); a person's names the person.
  keyOf: (activity) => (String(activity['type']).startsWith('_o:') ? objectOf(activity) : personOf(activity)),
  removedBy: mergedAway,
  groups: {
    // keyText writes a two-field key as a JSON list: [object_id, cio_id].
    ofKey: (key) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(key);
      } catch {
        return undefined;
      }
      if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') return undefined;
      return { group: parsed[0], member: parsed[1] };
    },
  },
});

/** The people an object's list serves, each with the object it was asked for. */
function related(body: Row, _type: Row | undefined, ids?: readonly string[]): Row[] {
  const list = body['cio_relationships'];
  if (!Array.isArray(list)) return [];
  return list.map((item: Row) => ({ object_id: ids?.[0] ?? null, ...item }));
}

/**
 * The people related to each object, per object type: a row per (object, person). Read whole by
 * searching the type and listing each object's relationships; incrementally, only the objects the
 * feed names, and those of the people it names.
 */
export const objectRelationships = defineStream({
  name: 'object_relationships',
  ...perObject,
  // Within a type an (object_id, cio_id) pair is the key: the feed names the object, or the person.
  primaryKey: [['object_type_id'], ['object_id'], ['cio_id']],
  // objects_full_every_days sets how often every list is read again (streams/settings.ts).
  cursor: { mode: 'change-feed', field: 'changed_at', feed: relationshipFeed, fullEverySeconds: 7 * DAY },
  pagination: {
    kind: 'search-then-hydrate',
    search: objectSearch,
    hydrate: {
      batchSize: 1,
      // No page size is documented for relationship lists: a conservative 100.
      request: ([id], type) => objectRequest(type, id, 'relationships', { limit: 100 }),
      next: { field: 'next', param: 'start' },
      records: related,
    },
  },
  transform: (item, type) => {
    const identifiers = (item['identifiers'] ?? {}) as Row;
    return { ...item, object_type_id: String(item['object_type_id'] ?? type?.['id']), cio_id: identifiers['cio_id'] ?? null };
  },
});
