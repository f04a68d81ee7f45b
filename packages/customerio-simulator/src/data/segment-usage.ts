import type { World } from './world.js';

/** The `used_by` object of GET /v1/segments/{id}/used_by (§5.6). */
export interface SegmentUsageRecord {
  segment_id: number;
  /** Empty lists are null, as elsewhere (§4; UNCONFIRMED for this endpoint, the stricter choice). */
  campaigns: number[] | null;
  draft_newsletters: number[] | null;
  sent_newsletters: number[] | null;
}

/**
 * Derived, not drawn: the campaigns whose trigger or filter segments name the segment, and the
 * newsletters whose recipient segments do, split by `sent_at`. Segment references do not depend
 * on the clock, so this is stable; it scans campaigns and newsletters (≤ 2,200 cheap records).
 * Campaigns and newsletters deleted between syncs (data/deletions.ts) use nothing any more.
 */
export function segmentUsage(world: World, segmentId: number, now: number): SegmentUsageRecord {
  const campaigns: number[] = [];
  for (let k = 0; k < world.campaigns.count; k++) {
    if (world.deletions.has('campaign', world.campaigns.shape(k).id)) continue;
    const c = world.campaigns.record(k, now);
    if (c.trigger_segment_ids?.includes(segmentId) || c.filter_segment_ids?.includes(segmentId)) campaigns.push(c.id);
  }
  const drafts: number[] = [];
  const sent: number[] = [];
  for (let k = 0; k < world.newsletters.count; k++) {
    if (world.deletions.has('newsletter', world.newsletters.idOf(k))) continue;
    const n = world.newsletters.record(k, now);
    if (!n.recipient_segment_ids?.includes(segmentId)) continue;
    (n.sent_at === null ? drafts : sent).push(n.id);
  }
  const orNull = (ids: number[]): number[] | null => (ids.length === 0 ? null : ids);
  return {
    segment_id: segmentId,
    campaigns: orNull(campaigns),
    draft_newsletters: orNull(drafts),
    sent_newsletters: orNull(sent),
  };
}
