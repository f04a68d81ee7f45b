import { listedContents } from '../data/listed.js';
import type { World } from '../data/world.js';
import { listReply } from './envelope.js';
import { idParam, notFound } from './params.js';
import type { Route } from './router.js';

/**
 * A listed newsletter, or 404; also 404 for the one deleted since the list was read
 * (data/deleted.ts) and for one deleted between syncs (data/deletions.ts).
 */
export function newsletterIndex(world: World, params: Record<string, string>): number {
  const id = idParam(params, 'newsletter_id');
  const k = world.newsletters.indexOfId(id);
  if (k < 0 || world.deleted.isDeleted('newsletter', k) || world.deletions.has('newsletter', id)) throw notFound('newsletter');
  return k;
}

/** A newsletter's variants and A/B test groups (§5.4): unpaged, no query parameters. */
export function newsletterContentRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/newsletters/:newsletter_id/contents',
      // Without the variants deleted between syncs; all of them deleted is `contents: null`.
      handle: ({ world, now, params }) => listReply('contents', listedContents(world, newsletterIndex(world, params), now)),
    },
    {
      method: 'GET',
      pattern: '/v1/newsletters/:newsletter_id/test_groups',
      // A newsletter that is not an A/B test answers `test_groups: null` (§4 style).
      handle: ({ world, now, params }) => listReply('test_groups', world.newsletterVariants.testGroups(newsletterIndex(world, params), now) ?? []),
    },
  ];
}
