import { listedSegments } from '../data/listed.js';
import type { IdentifiersEntry } from '../data/people.js';
import { segmentUsage, type SegmentUsageRecord } from '../data/segment-usage.js';
import type { SegmentRecord } from '../data/segments.js';
import type { TruthContext } from './context.js';

/** Segments, their members and what uses them (§5.6). */
export function segmentTruth({ world, now: clock }: TruthContext) {
  const segmentMembers = (segmentId: number): IdentifiersEntry[] => {
    const k = world.segments.indexOfId(segmentId);
    if (k < 0) throw new RangeError(`no segment with id ${segmentId}`);
    if (world.deleted.isDeleted('segment', k) || world.deletions.has('segment', segmentId)) return [];
    const size = world.segments.size(k);
    const people = world.people;
    return Array.from({ length: size }, (_, j) => world.segments.member(k, j))
      .filter((p) => people.exists(p))
      .map((p) => people.identifiers(p));
  };

  return {
    /** GET /v1/segments items. */
    segments(): SegmentRecord[] {
      const now = clock();
      return listedSegments(world).map((k) => world.segments.record(k, now));
    },

    /** A segment's membership, in page order. */
    segmentMembers,

    /** The `cio_id`s of a segment's membership, in page order. */
    segmentMemberCioIds(segmentId: number): string[] {
      return segmentMembers(segmentId).map((m) => m.cio_id);
    },

    /** The `used_by` object of a segment (undefined for a deleted one). */
    segmentUsage(segmentId: number): SegmentUsageRecord | undefined {
      const k = world.segments.indexOfId(segmentId);
      if (k < 0) throw new RangeError(`no segment with id ${segmentId}`);
      const gone = world.deleted.isDeleted('segment', k) || world.deletions.has('segment', segmentId);
      return gone ? undefined : segmentUsage(world, segmentId, clock());
    },
  };
}

export type SegmentTruth = ReturnType<typeof segmentTruth>;
