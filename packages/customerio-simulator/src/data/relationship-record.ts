import type { ObjectIdentifiers } from './object-record.js';
import type { Identity } from './person-record.js';

/**
 * The shapes a person–object relationship is served in (customerio-api.md §5.7, §5.10): its own
 * file, so the generator (data/relationships.ts) and the changes (data/relationship-changes.ts)
 * share them without importing each other.
 */

/**
 * A GET /v1/objects/{type}/{object_id}/relationships item: a **person** related to the object.
 * `object_type_id` is a string here (S11 getObjectRelationships), an integer on the person side.
 */
export interface ObjectRelationshipRecord {
  /** Always the three keys, `null` where the person has no id or email (ASSUMPTION). */
  identifiers: Identity;
  object_type_id: string;
  object_type_disabled: boolean;
}

/**
 * A GET /v1/customers/{id}/relationships item: an object the person is related to, with the
 * relationship's own attributes. `object_type_id` is an **integer** here (S11
 * getPersonRelationships), the type drift the API documents between the two sides.
 */
export interface PersonRelationshipRecord {
  object_type_id: number;
  identifiers: ObjectIdentifiers;
  /** Every value a string, keys sorted, `{}` when the relationship has none (ASSUMPTION). */
  attributes: Record<string, string>;
  timestamps: Record<string, number>;
}

/** A relationship's own attributes and when each was set. */
export interface RelationshipAttributes {
  attributes: Record<string, string>;
  timestamps: Record<string, number>;
}
