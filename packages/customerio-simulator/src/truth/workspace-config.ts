import type { CollectionRecord } from '../data/collections.js';
import { listedCollections, listedSnippets } from '../data/listed.js';
import type { ReportingWebhookRecord } from '../data/reporting-webhooks.js';
import type { SenderIdentityRecord } from '../data/senders.js';
import type { SnippetRecord } from '../data/snippets.js';
import type { ChannelRecord, TopicRecord } from '../data/subscriptions.js';
import type { TruthContext } from './context.js';

/** Workspace configuration lists (§5.10). */
export function workspaceConfigTruth({ world, now: clock }: TruthContext) {
  return {
    /** Every sender, hidden and visible (see each `hidden`), by id; the API serves the hidden ones only with `hidden=true`. */
    senderIdentities(): SenderIdentityRecord[] {
      return Array.from({ length: world.senderIdentities.count }, (_, k) => world.senderIdentities.record(k));
    },

    snippets(): SnippetRecord[] {
      const now = clock();
      return listedSnippets(world).map((k) => world.snippets.record(k, now));
    },

    collections(): CollectionRecord[] {
      const now = clock();
      return listedCollections(world).map((k) => world.collections.record(k, now));
    },

    /** Reporting webhooks, their endpoints with their credentials, as served. */
    reportingWebhooks(): ReportingWebhookRecord[] {
      return Array.from({ length: world.reportingWebhooks.count }, (_, k) => world.reportingWebhooks.record(k));
    },

    topics(): TopicRecord[] {
      return Array.from({ length: world.topics.count }, (_, k) => world.topics.record(k));
    },

    channels(): ChannelRecord[] {
      return Array.from({ length: world.channels.count }, (_, k) => world.channels.record(k));
    },
  };
}

export type WorkspaceConfigTruth = ReturnType<typeof workspaceConfigTruth>;
