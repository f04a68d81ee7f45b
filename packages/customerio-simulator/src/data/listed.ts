import { broadcastActionId, broadcastId } from './broadcasts.js';
import { actionId, campaignId, type CampaignShape } from './campaigns.js';
import type { VariantRecord } from './newsletter-variants.js';
import type { World } from './world.js';

/**
 * What the lists serve now: every generated entity except those deleted between syncs
 * (data/deletions.ts), in generation order. Routes page over these and the truth reads them, so
 * the two never disagree; pages are cut from the list as it is now, so after a delete they stay
 * full and an offset token means "skip this many of what is left" (an OFFSET over the live rows).
 */
function kept(count: number, gone: (k: number) => boolean): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) if (!gone(k)) out.push(k);
  return out;
}

/** Campaign indices. */
export function listedCampaigns(world: World): number[] {
  return kept(world.campaigns.count, (k) => world.deletions.has('campaign', campaignId(k)));
}

/** Positions j of a campaign's actions. */
export function listedActions(world: World, shape: CampaignShape): number[] {
  return kept(shape.actionCount, (j) => world.deletions.has('campaign_action', actionId(shape.id, j)));
}

/** Newsletter indices, ascending (the `sort=asc` order). */
export function listedNewsletters(world: World): number[] {
  return kept(world.newsletters.count, (k) => world.deletions.has('newsletter', world.newsletters.idOf(k)));
}

/** The variants of newsletter #k (GET /v1/newsletters/{id}/contents items). */
export function listedContents(world: World, k: number, now: number): VariantRecord[] {
  return world.newsletterVariants.contents(k, now).filter((v) => !world.deletions.has('newsletter_variant', v.id));
}

/** Broadcast indices. */
export function listedBroadcasts(world: World): number[] {
  return kept(world.broadcasts.count, (k) => world.deletions.has('broadcast', broadcastId(k)));
}

/** Positions j of broadcast #k's actions. */
export function listedBroadcastActions(world: World, k: number): number[] {
  return kept(world.broadcasts.actionCount(k), (j) => world.deletions.has('broadcast_action', broadcastActionId(broadcastId(k), j)));
}

/** Transactional message indices (ids 1..n). */
export function listedTransactional(world: World): number[] {
  return kept(world.transactional.count, (k) => world.deletions.has('transactional_message', k + 1));
}

/** Segment indices. */
export function listedSegments(world: World): number[] {
  return kept(world.segments.count, (k) => world.deletions.has('segment', world.segments.idOf(k)));
}

/** Snippet indices. */
export function listedSnippets(world: World): number[] {
  return kept(world.snippets.count, (k) => world.deletions.has('snippet', world.snippets.name(k)));
}

/** Collection indices (ids 1..n). */
export function listedCollections(world: World): number[] {
  return kept(world.collections.count, (k) => world.deletions.has('collection', k + 1));
}
