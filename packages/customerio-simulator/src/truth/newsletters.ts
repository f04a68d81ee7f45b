import { listedContents, listedNewsletters } from '../data/listed.js';
import type { TestGroupRecord, VariantRecord } from '../data/newsletter-variants.js';
import type { NewsletterRecord } from '../data/newsletters.js';
import type { World } from '../data/world.js';
import type { TruthContext } from './context.js';

/** Newsletters, their variants and A/B test groups (§5.4). */
export function newsletterTruth({ world, now: clock }: TruthContext) {
  return {
    /** GET /v1/newsletters items, ascending (sort=asc order). */
    newsletters(): NewsletterRecord[] {
      const now = clock();
      return listedNewsletters(world).map((k) => world.newsletters.record(k, now));
    },

    /** A newsletter's variants. */
    newsletterContents(newsletterId: number): VariantRecord[] {
      const k = newsletterIndex(world, newsletterId);
      return newsletterGone(world, k, newsletterId) ? [] : listedContents(world, k, clock());
    },

    /** A newsletter's A/B test groups (`[]` where the API answers `test_groups: null`). */
    newsletterTestGroups(newsletterId: number): TestGroupRecord[] {
      const k = newsletterIndex(world, newsletterId);
      return newsletterGone(world, k, newsletterId) ? [] : (world.newsletterVariants.testGroups(k, clock()) ?? []);
    },
  };
}

export type NewsletterTruth = ReturnType<typeof newsletterTruth>;

/** Mid-sync (data/deleted.ts) or between syncs (data/deletions.ts): nothing under it is served. */
function newsletterGone(world: World, k: number, id: number): boolean {
  return world.deleted.isDeleted('newsletter', k) || world.deletions.has('newsletter', id);
}

function newsletterIndex(world: World, id: number): number {
  const k = world.newsletters.indexOfId(id);
  if (k < 0) throw new RangeError(`no newsletter with id ${id}`);
  return k;
}
