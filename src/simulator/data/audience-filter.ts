import type { World } from './world.js';

/**
 * The audience filter of POST /v1/customers (§5.7): `and` (array), `or` (array), `not` (object),
 * and the leaves `segment: {id}` and `attribute: {field, operator: eq|exists, value}`.
 */
export type AudienceFilter =
  | { and: AudienceFilter[] }
  | { or: AudienceFilter[] }
  | { not: AudienceFilter }
  | { segment: number }
  | { attribute: { field: string; operator: 'eq' | 'exists'; value?: string } };

export class FilterError extends Error {}

export function parseAudienceFilter(input: unknown, path = 'filter'): AudienceFilter {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FilterError(`${path} must be an object`);
  }
  const keys = Object.keys(input);
  if (keys.length !== 1) throw new FilterError(`${path} must have exactly one of and, or, not, segment, attribute`);
  const node = input as Record<string, unknown>;
  const key = keys[0];
  switch (key) {
    case 'and':
    case 'or': {
      const list = node[key];
      if (!Array.isArray(list) || list.length === 0) throw new FilterError(`${path}.${key} must be a non-empty array`);
      const parts = list.map((x, i) => parseAudienceFilter(x, `${path}.${key}[${i}]`));
      return key === 'and' ? { and: parts } : { or: parts };
    }
    case 'not':
      return { not: parseAudienceFilter(node.not, `${path}.not`) };
    case 'segment': {
      const seg = node.segment as Record<string, unknown> | null;
      const id = seg?.id;
      if (typeof id !== 'number' || !Number.isInteger(id)) throw new FilterError(`${path}.segment.id must be an integer`);
      return { segment: id };
    }
    case 'attribute': {
      const attr = node.attribute as Record<string, unknown> | null;
      const field = attr?.field;
      const operator = attr?.operator;
      if (typeof field !== 'string' || field === '') throw new FilterError(`${path}.attribute.field is required`);
      if (operator !== 'eq' && operator !== 'exists') throw new FilterError(`${path}.attribute.operator must be eq or exists`);
      if (operator === 'eq') {
        const value = attr?.value;
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new FilterError(`${path}.attribute.value is required with operator eq`);
        }
        return { attribute: { field, operator, value: String(value) } };
      }
      return { attribute: { field, operator } };
    }
    default:
      throw new FilterError(`${path}.${key ?? ''} is not a supported condition`);
  }
}

export function matchesAudience(world: World, filter: AudienceFilter, p: number, now: number): boolean {
  if ('and' in filter) return filter.and.every((f) => matchesAudience(world, f, p, now));
  if ('or' in filter) return filter.or.some((f) => matchesAudience(world, f, p, now));
  if ('not' in filter) return !matchesAudience(world, filter.not, p, now);
  if ('segment' in filter) {
    const k = world.segments.indexOfId(filter.segment);
    return k >= 0 && world.segments.isMember(k, p);
  }
  const value = world.people.attributeValue(p, filter.attribute.field, now);
  if (filter.attribute.operator === 'exists') return value !== undefined && value !== '';
  return value === filter.attribute.value;
}
