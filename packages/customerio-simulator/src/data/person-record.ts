/**
 * The shapes of a person as the API serves them, shared by data/people.ts (which generates them)
 * and data/people-changes.ts (which changes them between syncs) without an import cycle.
 */

/** The identity triple the API returns from searches and segment membership. */
export interface Identity {
  cio_id: string;
  id: string | null;
  email: string | null;
}

export interface Device {
  id: string;
  platform: 'ios' | 'android';
  last_used: number;
  attributes: Record<string, string>;
}

/** A hydrated person of POST /v1/customers/attributes (see ServedCustomer for the wrapping). */
export interface CustomerRecord {
  id: string | null;
  identifiers: Identity;
  attributes: Record<string, string>;
  devices: Device[] | null;
  timestamps: Record<string, number>;
  unsubscribed: boolean;
}
