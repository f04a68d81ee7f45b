/**
 * The boolean shape shared by the search filters of POST /v1/customers and POST /v1/objects:
 * `and` and `or` (non-empty arrays), `not` (an object), and the endpoint's own leaves. Each node
 * has exactly one key.
 */
export type FilterTree<L> = { and: FilterTree<L>[] } | { or: FilterTree<L>[] } | { not: FilterTree<L> } | { leaf: L };

export class FilterError extends Error {}

/** Parses one leaf's value (`path` names it in errors); throws FilterError when it is wrong. */
export type LeafParser<L> = (value: unknown, path: string) => L;

export function parseFilterTree<L>(input: unknown, leaves: Record<string, LeafParser<L>>, path = 'filter'): FilterTree<L> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FilterError(`${path} must be an object`);
  const keys = Object.keys(input);
  if (keys.length !== 1) throw new FilterError(`${path} must have exactly one of ${['and', 'or', 'not', ...Object.keys(leaves)].join(', ')}`);
  const key = keys[0] as string;
  const value = (input as Record<string, unknown>)[key];
  if (key === 'and' || key === 'or') {
    if (!Array.isArray(value) || value.length === 0) throw new FilterError(`${path}.${key} must be a non-empty array`);
    const parts = value.map((x, i) => parseFilterTree(x, leaves, `${path}.${key}[${i}]`));
    return key === 'and' ? { and: parts } : { or: parts };
  }
  if (key === 'not') return { not: parseFilterTree(value, leaves, `${path}.not`) };
  const leaf = Object.hasOwn(leaves, key) ? leaves[key] : undefined;
  if (!leaf) throw new FilterError(`${path}.${key} is not a supported condition`);
  return { leaf: leaf(value, `${path}.${key}`) };
}

export function matchesTree<L>(tree: FilterTree<L>, matches: (leaf: L) => boolean): boolean {
  if ('and' in tree) return tree.and.every((t) => matchesTree(t, matches));
  if ('or' in tree) return tree.or.some((t) => matchesTree(t, matches));
  if ('not' in tree) return !matchesTree(tree.not, matches);
  return matches(tree.leaf);
}

/** `{field, operator: eq|exists, value}`: the attribute leaf both endpoints use; `value` is needed with eq. */
export interface AttributeLeaf {
  field: string;
  operator: 'eq' | 'exists';
  value?: string;
}

export function parseAttributeLeaf(value: unknown, path: string): AttributeLeaf {
  const leaf = value as Record<string, unknown> | null;
  const field = leaf?.field;
  const operator = leaf?.operator;
  if (typeof field !== 'string' || field === '') throw new FilterError(`${path}.field is required`);
  if (operator !== 'eq' && operator !== 'exists') throw new FilterError(`${path}.operator must be eq or exists`);
  if (operator === 'exists') return { field, operator };
  const expected = leaf?.value;
  if (typeof expected !== 'string' && typeof expected !== 'number' && typeof expected !== 'boolean') {
    throw new FilterError(`${path}.value is required with operator eq`);
  }
  return { field, operator, value: String(expected) };
}
