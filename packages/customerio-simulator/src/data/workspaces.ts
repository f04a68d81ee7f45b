import { hash32 } from '../random.js';
import { Entity } from '../tags.js';
import { idAs, workspaceIdAsString } from './drift.js';
import type { Messages } from './messages.js';

export interface WorkspaceRecord {
  /**
   * An integer as the spec declares, or a numeric string as the docs example shows ("13XXXX"),
   * by seed (drift.ts workspaceIdAsString).
   */
  id: number | string;
  name: string;
  messages_sent: number;
  billable_messages_sent: number;
  people: number;
  object_types: number;
  objects: number;
}

/**
 * One workspace per key. Its counts cover the current billing period: the calendar month (UTC).
 * Object counts are the workspace's object types and objects (data/objects.ts).
 */
export function workspaceRecord(seed: number, now: number, peopleCount: number, messages: Messages, objectTypes = 2, objects = 0): WorkspaceRecord {
  const date = new Date(now * 1000);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1000;
  const sent = Math.max(0, messages.timeline.lastAtOrBefore(now) - messages.timeline.firstAtOrAfter(monthStart) + 1);
  return {
    id: idAs(100_000 + (hash32(seed, Entity.workspace, 0) % 900_000), workspaceIdAsString(seed)),
    name: 'Simulated workspace',
    messages_sent: sent,
    // Webhook and in-app deliveries are not billed.
    billable_messages_sent: Math.floor(sent * 0.9),
    people: peopleCount,
    object_types: objectTypes,
    objects,
  };
}
