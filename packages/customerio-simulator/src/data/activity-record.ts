/**
 * A GET /v1/activities item (§5.3), shared by the generated history (data/activities.ts) and the
 * changes between syncs (data/people-changes.ts, data/object-changes.ts) without an import cycle.
 */
export interface ActivityRecord {
  id: string;
  type: string;
  timestamp: number;
  customer_id: string | null;
  /** null on an object's activity (`_o:<type>:…`, data/object-change-batch.ts): no person. */
  customer_identifiers: { cio_id: string; email: string | null; id: string | null } | null;
  delivery_id?: string;
  delivery_type?: string;
  data: Record<string, unknown>;
  name?: string;
  url?: string;
}
