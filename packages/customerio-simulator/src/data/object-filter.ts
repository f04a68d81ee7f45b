import { FilterError, matchesTree, parseAttributeLeaf, parseFilterTree, type AttributeLeaf, type FilterTree } from './filter-tree.js';

/**
 * The filter of POST /v1/objects (§5.10): `and`/`or` arrays, `not`, and `object_attribute`
 * leaves `{field, operator: eq|exists, value?, type_id}` (the docs say leaves need type_id).
 * `exists` matches every object of the searched type, whatever the field: the simulator's
 * objects all carry the same attributes, and this is what clients use as "all objects" (S3).
 */
export type ObjectFilter = FilterTree<AttributeLeaf>;

export function parseObjectFilter(input: unknown): ObjectFilter {
  return parseFilterTree(input, {
    object_attribute: (value, path) => {
      const leaf = parseAttributeLeaf(value, path);
      const typeId = (value as Record<string, unknown>)['type_id'];
      if (typeof typeId !== 'string' && typeof typeId !== 'number') throw new FilterError(`${path}.type_id is required`);
      return leaf;
    },
  });
}

/** `attributes` is called only when an `eq` leaf needs the values. */
export function matchesObject(filter: ObjectFilter, attributes: () => Record<string, string>): boolean {
  return matchesTree(filter, (leaf) => leaf.operator === 'exists' || attributes()[leaf.field] === leaf.value);
}
