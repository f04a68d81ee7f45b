import { FilterError, matchesTree, parseAttributeLeaf, parseFilterTree, type AttributeLeaf, type FilterTree } from './filter-tree.js';
import type { World } from './world.js';

/**
 * The audience filter of POST /v1/customers (§5.7): `and` (array), `or` (array), `not` (object),
 * and the leaves `segment: {id}` and `attribute: {field, operator: eq|exists, value}`.
 */
type AudienceLeaf = { segment: number } | { attribute: AttributeLeaf };
export type AudienceFilter = FilterTree<AudienceLeaf>;

export function parseAudienceFilter(input: unknown): AudienceFilter {
  return parseFilterTree<AudienceLeaf>(input, {
    segment: (value, path) => {
      const id = (value as Record<string, unknown> | null)?.['id'];
      if (typeof id !== 'number' || !Number.isInteger(id)) throw new FilterError(`${path}.id must be an integer`);
      return { segment: id };
    },
    attribute: (value, path) => ({ attribute: parseAttributeLeaf(value, path) }),
  });
}

/**
 * Whether person p matches at workspace time `now`. `deletionBatch`: the deletes between syncs
 * (data/deletions.ts) that count, those of batches up to it (default all); `peopleBatch` the
 * same for changes to people (data/people-changes.ts): a person deleted or merged away matches
 * nothing, one created matches once created. An export job counts only the batches made before
 * it was posted, so its file never changes afterwards.
 */
export function matchesAudience(world: World, filter: AudienceFilter, p: number, now: number, deletionBatch = Infinity, peopleBatch = Infinity): boolean {
  if (!world.people.exists(p, peopleBatch)) return false;
  return matchesTree(filter, (leaf) => {
    if ('segment' in leaf) {
      // A deleted segment (data/deleted.ts, data/deletions.ts) has no members left to match.
      const k = world.segments.indexOfId(leaf.segment);
      if (k < 0 || world.deleted.isDeleted('segment', k) || world.deletions.has('segment', leaf.segment, deletionBatch)) return false;
      return world.segments.isMember(k, p);
    }
    const value = world.people.attributeValue(p, leaf.attribute.field, now, peopleBatch);
    if (leaf.attribute.operator === 'exists') return value !== undefined && value !== '';
    return value === leaf.attribute.value;
  });
}
