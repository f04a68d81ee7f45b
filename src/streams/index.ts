import type { StreamDef } from '../engine/stream.js';
import { activities } from './activities.js';
import { broadcastActions, broadcasts, broadcastTriggers } from './broadcasts.js';
import { campaigns, campaignsActions } from './campaigns.js';
import { collections, exportsStream, snippets } from './content.js';
import { espSuppressions } from './esp-suppressions.js';
import { messages } from './messages.js';
import {
  broadcastActionMetrics,
  broadcastMetrics,
  campaignActionMetrics,
  campaignJourneyMetrics,
  campaignLinkMetrics,
  campaignMetrics,
  newsletterLinkMetrics,
  newsletterMetrics,
  transactionalLinkMetrics,
  transactionalMetrics,
} from './metrics.js';
import { newsletters, newsletterTestGroups, newsletterVariants } from './newsletters.js';
import { objectRelationships } from './object-relationships.js';
import { objects, objectTypes } from './objects.js';
import { people } from './people.js';
import { segmentMemberships, segments, segmentUsage } from './segments.js';
import { transactionalMessages } from './transactional.js';
import { reportingWebhooks, senderIdentities, subscriptionChannels, subscriptionTopics, workspaces } from './workspace-settings.js';

/** The catalog, in the order streams are discovered and synced. */
export const ALL_STREAMS: readonly StreamDef[] = [
  campaigns,
  campaignsActions,
  campaignMetrics,
  campaignActionMetrics,
  campaignJourneyMetrics,
  campaignLinkMetrics,
  newsletters,
  newsletterVariants,
  newsletterTestGroups,
  newsletterMetrics,
  newsletterLinkMetrics,
  broadcasts,
  broadcastActions,
  broadcastTriggers,
  broadcastMetrics,
  broadcastActionMetrics,
  transactionalMessages,
  transactionalMetrics,
  transactionalLinkMetrics,
  segments,
  segmentUsage,
  segmentMemberships,
  messages,
  activities,
  people,
  objectTypes,
  objects,
  objectRelationships,
  senderIdentities,
  subscriptionTopics,
  subscriptionChannels,
  workspaces,
  reportingWebhooks,
  snippets,
  collections,
  espSuppressions,
  exportsStream,
];

export function streamByName(name: string): StreamDef | undefined {
  return ALL_STREAMS.find((def) => def.name === name);
}
