import type { StreamDef } from '../engine/stream.js';
import { activities } from './activities.js';
import { campaigns, campaignsActions } from './campaigns.js';
import { messages } from './messages.js';
import { newsletters } from './newsletters.js';
import { people } from './people.js';
import { segmentMemberships, segments } from './segments.js';

/** The catalog, in the order streams are discovered and synced. */
export const ALL_STREAMS: readonly StreamDef[] = [
  campaigns,
  campaignsActions,
  newsletters,
  segments,
  segmentMemberships,
  messages,
  activities,
  people,
];

export function streamByName(name: string): StreamDef | undefined {
  return ALL_STREAMS.find((def) => def.name === name);
}
