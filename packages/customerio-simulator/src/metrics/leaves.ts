import { actionId, actionIndexOfId, campaignIndexOfId, type CampaignShape } from '../data/campaigns.js';
import type { World } from '../data/world.js';
import { Draw, hash32 } from '../random.js';
import { DAY } from '../scale.js';
import { LeafKindTag, LinkOwner, MetricsTag } from '../tags.js';
import { BURST, HOUR, type Leaf } from './hourly.js';
import { linkDefs, type LinkDef } from './links.js';
import { channelSeries, JOURNEY_SLOTS, M } from './series.js';

/** Everything the metrics endpoints report on (GroundTruth takes the same names). */
export type EntityKind = 'campaign' | 'campaign_action' | 'journey' | 'newsletter' | 'newsletter_variant' | 'broadcast' | 'broadcast_action' | 'transactional';

/**
 * Path ids of an entity: [campaign], [campaign, action] or [campaign, action, language variant
 * action id], [campaign] for journeys, [newsletter], [newsletter, content], [broadcast],
 * [broadcast, action], [transactional message].
 */
export type EntityIds = readonly (number | string)[];

/** Builds the error for a missing entity ('campaign', 'action', …): 404 in routes, RangeError in truth. */
export type Missing = (what: string) => Error;

const KIND_TAG: Record<EntityKind, number> = LeafKindTag;

function ceilHour(t: number): number {
  return Math.ceil(t / HOUR) * HOUR;
}

function num(ids: EntityIds, i: number): number {
  const v = ids[i];
  return typeof v === 'number' ? v : /^[0-9]+$/.test(v ?? '') ? Number(v) : NaN;
}

/** A leaf's random key: (kind, a, b) hashed twice so no two leaves share a stream. */
function leafSalt(seed: number, kind: EntityKind, a: number, b: number): number {
  const tag = KIND_TAG[kind];
  return hash32(hash32(seed, MetricsTag.leaf, a, tag), MetricsTag.leaf, b, tag);
}

interface Life {
  from: number;
  until: number;
  /** See Leaf.bursts; unset for steady senders. */
  bursts?: readonly number[];
  /** Multiplies the drawn hourly rate (a newsletter send is much denser than a journey step). */
  scale: number;
}

function makeLeaf(seed: number, salt: number, channel: string, life: Life, links: readonly LinkDef[], extra: Partial<Leaf> = {}): Leaf {
  const draw = new Draw(seed, MetricsTag.leaf, salt, 1);
  const base = draw.weighted([
    [0.4, 3],
    [2, 4],
    [8, 2],
    [25, 1],
  ] as const);
  const journey = channel === 'journey';
  // A few email leaves also report S4's prefetch_clicked, which the spec's 26 names lack.
  const series = journey ? JOURNEY_SLOTS : channelSeries(channel, draw.chance(0.2));
  return {
    salt,
    model: journey ? 'journey' : 'message',
    channel,
    series,
    hasDelivered: !journey && series.includes(M.delivered),
    from: life.from,
    until: life.until,
    ...(life.bursts === undefined ? {} : { bursts: life.bursts }),
    rate: base * life.scale * (0.75 + draw.float() * 0.5),
    open: 0.15 + draw.float() * 0.4,
    click: 0.02 + draw.float() * 0.08,
    convert: 0.01 + draw.float() * 0.05,
    links,
    ...extra,
  };
}

/** When a campaign sends: from its first start until, for a stopped one, a stop before the initial clock. */
function campaignLife(world: World, shape: CampaignShape): Life {
  const firstStarted = world.campaigns.record(shape.index, world.now()).first_started;
  const from = firstStarted === null ? Infinity : ceilHour(firstStarted);
  let until = Infinity;
  if (shape.state === 'stopped') {
    const stop = world.clock.origin - (1 + new Draw(world.seed, MetricsTag.leaf, shape.id, 2).int(120)) * DAY;
    until = Math.max(ceilHour(stop), from + 7 * DAY);
  }
  return { from, until, scale: 1 };
}

/** Language variant action ids of an action: one email action in six is translated once or twice. */
function languageVariantIds(seed: number, channel: string, aid: number): number[] {
  const draw = new Draw(seed, MetricsTag.variant, aid);
  if (channel !== 'email' || !draw.chance(1 / 6)) return [];
  // Action ids stay below 100 × the largest campaign id (≈ 40,000 at large scale): ×1000 never collides.
  return Array.from({ length: draw.range(1, 2) }, (_, i) => aid * 1000 + i + 1);
}

/** The leaves of campaign action j: its default language first, then its language variants. */
function actionLeaves(world: World, shape: CampaignShape, j: number, life: Life, only?: number): Leaf[] {
  const seed = world.seed;
  const aid = actionId(shape.id, j);
  const channel = world.actions.type(shape, j);
  const from = Math.max(life.from, ceilHour(world.actions.created(shape, j)));
  const own: Life = { ...life, from };
  const links = linkDefs(seed, LinkOwner.campaignAction, aid, channel);
  const out: Leaf[] = [];
  if (only === undefined) out.push(makeLeaf(seed, leafSalt(seed, 'campaign_action', aid, 0), channel, own, links));
  for (const variantId of languageVariantIds(seed, channel, aid)) {
    if (only !== undefined && only !== variantId) continue;
    const variantLife = { ...own, scale: 0.3 };
    out.push(makeLeaf(seed, leafSalt(seed, 'campaign_action', aid, variantId), channel, variantLife, links, { variantId }));
  }
  return out;
}

function campaignShape(world: World, ids: EntityIds, missing: Missing): CampaignShape {
  const k = campaignIndexOfId(num(ids, 0), world.campaigns.count);
  if (k < 0) throw missing('campaign');
  return world.campaigns.shape(k);
}

function campaignLeaves(world: World, kind: EntityKind, ids: EntityIds, missing: Missing): Leaf[] {
  const shape = campaignShape(world, ids, missing);
  const life = campaignLife(world, shape);
  if (kind === 'journey') {
    const salt = leafSalt(world.seed, 'journey', shape.id, 0);
    return [makeLeaf(world.seed, salt, 'journey', { ...life, scale: 2 }, [])];
  }
  if (kind === 'campaign') {
    return Array.from({ length: shape.actionCount }, (_, j) => actionLeaves(world, shape, j, life)).flat();
  }
  const j = actionIndexOfId(shape, num(ids, 1));
  if (j < 0) throw missing('action');
  if (ids.length < 3) return actionLeaves(world, shape, j, life);
  const only = actionLeaves(world, shape, j, life, num(ids, 2));
  if (only.length === 0) throw missing('language variant');
  return only;
}

function newsletterLeaves(world: World, kind: EntityKind, ids: EntityIds, missing: Missing): Leaf[] {
  const k = world.newsletters.indexOfId(num(ids, 0));
  if (k < 0) throw missing('newsletter');
  // The served record, so variants and channel always agree with /newsletters and /contents.
  const record = world.newsletters.record(k, world.now());
  let contents = record.content_ids;
  if (kind === 'newsletter_variant') {
    const cid = num(ids, 1);
    if (!contents.includes(cid)) throw missing('content');
    contents = [cid];
  }
  // One send at sent_at; drafts (sent_at null) never send.
  const life = burstLife(record.sent_at === null ? [] : [record.sent_at], 40);
  return contents.map((cid) =>
    makeLeaf(
      world.seed,
      leafSalt(world.seed, 'newsletter_variant', cid, 0),
      record.type,
      life,
      linkDefs(world.seed, LinkOwner.newsletterVariant, cid, record.type),
    ),
  );
}

/** Sends starting at the hours after `times`: active from the first to 48 h after the last. */
function burstLife(times: readonly number[], scale: number): Life {
  const bursts = times.map(ceilHour).sort((a, b) => a - b);
  const first = bursts[0];
  const last = bursts[bursts.length - 1];
  if (first === undefined || last === undefined) return { from: Infinity, until: Infinity, scale };
  return { from: first, until: last + BURST, bursts, scale };
}

/** Metrics speak of SMS as `twilio` (the `type` enum) where broadcast actions say `sms`. */
function metricsChannel(actionType: string): string {
  return actionType === 'sms' ? 'twilio' : actionType;
}

function broadcastLeaves(world: World, kind: EntityKind, ids: EntityIds, missing: Missing): Leaf[] {
  const bid = num(ids, 0);
  const k = world.broadcasts.indexOfId(bid);
  if (k < 0) throw missing('broadcast');
  const now = world.now();
  let actions = world.broadcasts.record(k, now).actions ?? [];
  if (kind === 'broadcast_action') {
    // Broadcast action ids are served as strings or integers (§7.4): compared as decimal text.
    const aid = String(ids[1] ?? '');
    actions = actions.filter((a) => String(a.id) === aid);
    if (actions.length === 0) throw missing('action');
  }
  // Every trigger of the broadcast (GET /broadcasts/{id}/triggers) starts a send of each action.
  const triggers = Array.from({ length: world.broadcasts.triggerCount(k) }, (_, t) => world.broadcasts.trigger(k, t, now).created_at);
  const life = burstLife(triggers, 15);
  return actions.map((a) => {
    const channel = metricsChannel(a.type);
    return makeLeaf(
      world.seed,
      leafSalt(world.seed, 'broadcast_action', bid, a.id),
      channel,
      life,
      linkDefs(world.seed, LinkOwner.broadcastAction, a.id, channel),
    );
  });
}

function transactionalLeaves(world: World, ids: EntityIds, missing: Missing): Leaf[] {
  const tid = num(ids, 0);
  const k = world.transactional.indexOfId(tid);
  if (k < 0) throw missing('transactional message');
  const record = world.transactional.record(k, world.now());
  const salt = leafSalt(world.seed, 'transactional', tid, 0);
  const life: Life = { from: ceilHour(record.created_at), until: Infinity, scale: 2 };
  // No link tracking, no tracked links (and no clicks); no open tracking, no opens.
  const links = record.link_tracking ? linkDefs(world.seed, LinkOwner.transactional, tid, 'email') : [];
  const leaf = makeLeaf(world.seed, salt, 'email', life, links);
  return [record.open_tracking ? leaf : { ...leaf, open: 0 }];
}

/**
 * What answers 404 under an entity although its ids are known, or undefined: a parent deleted
 * after being listed (data/deleted.ts), or the entity or its parent deleted between syncs
 * (data/deletions.ts). The name is what the 404 says is missing. Deleting a child leaves its
 * parent's metrics as they were: they count what was sent, and history stays.
 */
export function goneUnder(world: World, kind: EntityKind, ids: EntityIds): string | undefined {
  const gone = world.deletions;
  switch (kind) {
    case 'campaign':
    case 'campaign_action':
    case 'journey': {
      const id = num(ids, 0);
      if (world.deleted.isDeleted('campaign', campaignIndexOfId(id, world.campaigns.count)) || gone.has('campaign', id)) return 'campaign';
      return kind === 'campaign_action' && gone.has('campaign_action', num(ids, 1)) ? 'action' : undefined;
    }
    case 'newsletter':
    case 'newsletter_variant': {
      const id = num(ids, 0);
      if (world.deleted.isDeleted('newsletter', world.newsletters.indexOfId(id)) || gone.has('newsletter', id)) return 'newsletter';
      return kind === 'newsletter_variant' && gone.has('newsletter_variant', num(ids, 1)) ? 'content' : undefined;
    }
    case 'broadcast':
    case 'broadcast_action': {
      const id = num(ids, 0);
      if (world.deleted.isDeleted('broadcast', world.broadcasts.indexOfId(id)) || gone.has('broadcast', id)) return 'broadcast';
      return kind === 'broadcast_action' && gone.has('broadcast_action', String(ids[1] ?? '')) ? 'action' : undefined;
    }
    case 'transactional':
      return gone.has('transactional_message', num(ids, 0)) ? 'transactional message' : undefined;
  }
}

/**
 * The leaves whose sum an entity reports, or `missing(what)` thrown for an unknown id or one
 * gone (goneUnder). An empty list is valid (a campaign without actions): its metrics have no
 * series at all.
 */
export function leavesOf(world: World, kind: EntityKind, ids: EntityIds, missing: Missing): Leaf[] {
  const gone = goneUnder(world, kind, ids);
  if (gone !== undefined) throw missing(gone);
  switch (kind) {
    case 'campaign':
    case 'campaign_action':
    case 'journey':
      return campaignLeaves(world, kind, ids, missing);
    case 'newsletter':
    case 'newsletter_variant':
      return newsletterLeaves(world, kind, ids, missing);
    case 'broadcast':
    case 'broadcast_action':
      return broadcastLeaves(world, kind, ids, missing);
    case 'transactional':
      return transactionalLeaves(world, ids, missing);
  }
}
