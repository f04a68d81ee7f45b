/** The shapes an object is served in: its own file, so the object changes and the generator share them without importing each other. */
export interface ObjectIdentifiers {
  object_id: string;
  cio_object_id: string;
}

/** The `object` of GET /v1/objects/{type}/{object_id}/attributes. */
export interface ObjectRecord {
  object_type_id: string;
  identifiers: ObjectIdentifiers;
  /** Every value a string, keys sorted, as for people. */
  attributes: Record<string, string>;
  timestamps: Record<string, number>;
}
