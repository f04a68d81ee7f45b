/**
 * The filter of POST /v1/objects (§5.10): `and`/`or` arrays, `not`, and `object_attribute`
 * leaves `{field, operator: eq|exists, value?, type_id}` (the docs say leaves need type_id).
 * `exists` matches every object of the searched type, whatever the field: the simulator's
 * objects all carry the same attributes, and this is what clients use as "all objects" (S3).
 */
export type ObjectFilter =
  | { and: ObjectFilter[] }
  | { or: ObjectFilter[] }
  | { not: ObjectFilter }
  | { leaf: { field: string; operator: 'eq' | 'exists'; value?: string } };

export class ObjectFilterError extends Error {}

export function parseObjectFilter(input: unknown, path = 'filter'): ObjectFilter {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ObjectFilterError(`${path} must be an object`);
  const keys = Object.keys(input);
  if (keys.length !== 1) throw new ObjectFilterError(`${path} must have exactly one of and, or, not, object_attribute`);
  const node = input as Record<string, unknown>;
  const key = keys[0];
  switch (key) {
    case 'and':
    case 'or': {
      const list = node[key];
      if (!Array.isArray(list) || list.length === 0) throw new ObjectFilterError(`${path}.${key} must be a non-empty array`);
      const parts = list.map((x, i) => parseObjectFilter(x, `${path}.${key}[${i}]`));
      return key === 'and' ? { and: parts } : { or: parts };
    }
    case 'not':
      return { not: parseObjectFilter(node.not, `${path}.not`) };
    case 'object_attribute': {
      const leaf = node.object_attribute as Record<string, unknown> | null;
      const field = leaf?.field;
      const operator = leaf?.operator;
      const typeId = leaf?.type_id;
      if (typeof field !== 'string' || field === '') throw new ObjectFilterError(`${path}.object_attribute.field is required`);
      if (operator !== 'eq' && operator !== 'exists') {
        throw new ObjectFilterError(`${path}.object_attribute.operator must be eq or exists`);
      }
      if (typeof typeId !== 'string' && typeof typeId !== 'number') {
        throw new ObjectFilterError(`${path}.object_attribute.type_id is required`);
      }
      if (operator === 'exists') return { leaf: { field, operator } };
      const value = leaf?.value;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new ObjectFilterError(`${path}.object_attribute.value is required with operator eq`);
      }
      return { leaf: { field, operator, value: String(value) } };
    }
    default:
      throw new ObjectFilterError(`${path}.${key ?? ''} is not a supported condition`);
  }
}

/** `attributes` is called only when an `eq` leaf needs the values. */
export function matchesObject(filter: ObjectFilter, attributes: () => Record<string, string>): boolean {
  if ('and' in filter) return filter.and.every((f) => matchesObject(f, attributes));
  if ('or' in filter) return filter.or.some((f) => matchesObject(f, attributes));
  if ('not' in filter) return !matchesObject(filter.not, attributes);
  if (filter.leaf.operator === 'exists') return true;
  return attributes()[filter.leaf.field] === filter.leaf.value;
}
