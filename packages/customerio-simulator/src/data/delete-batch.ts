import { broadcastActionId } from './broadcasts.js';
import { actionId, actionIndexOfId, campaignIndexOfId } from './campaigns.js';
import { DELETABLE_KINDS, PARENT_KIND, type DeletableKind, type DeletedEntity } from './deletions.js';
import { actionIdAsInteger, idAs } from './drift.js';
import type { World } from './world.js';

/** One entity found, in its served form, with the children a delete takes along. */
interface Found {
  entity: DeletedEntity;
  children: DeletedEntity[];
}

/** Tells whether an entity is already gone: deleted in an earlier batch or earlier in this one. */
type Gone = (kind: DeletableKind, id: number | string) => boolean;

/**
 * Resolves a requested batch of deletes against what the API serves now: each entity must be
 * listed (an unknown id, or one already deleted, is an Error naming it), and a parent takes its
 * children along (a campaign its actions, a newsletter its variants, a broadcast its actions).
 * Returns every entity the batch deletes, in the served form, each parent before its children;
 * throws before anything changes, so a batch applies whole or not at all.
 */
export function resolveDeletes(world: World, requested: unknown): DeletedEntity[] {
  if (!Array.isArray(requested)) throw new Error('deleteEntities takes an array of {kind, id, parent?}');
  const staged = new Set<string>();
  const gone: Gone = (kind, id) => world.deletions.has(kind, id) || staged.has(`${kind}:${String(id)}`);
  const out: DeletedEntity[] = [];
  const take = (e: DeletedEntity): void => {
    staged.add(`${e.kind}:${String(e.id)}`);
    out.push(e);
  };
  requested.forEach((raw: unknown, i) => {
    const where = `deleteEntities: entity ${i} ${JSON.stringify(raw) ?? String(raw)}`;
    const found = locate(world, parseEntity(raw, where), gone);
    if (typeof found === 'string') throw new Error(`${where}: ${found}`);
    take(found.entity);
    // Children deleted one by one earlier are already in the log once.
    for (const child of found.children) if (!gone(child.kind, child.id)) take(child);
  });
  return out;
}

function parseEntity(raw: unknown, where: string): DeletedEntity {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: an entity is an object {kind, id, parent?}`);
  const { kind, id, parent } = raw as Record<string, unknown>;
  if (typeof kind !== 'string' || !(DELETABLE_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`${where}: unknown kind ${JSON.stringify(kind)} (one of ${DELETABLE_KINDS.join(', ')})`);
  }
  const k = kind as DeletableKind;
  if (typeof id !== 'number' && typeof id !== 'string') throw new Error(`${where}: id must be a number or a string`);
  const parentKind = PARENT_KIND[k];
  if (parentKind === undefined && parent !== undefined) throw new Error(`${where}: a ${k} has no parent`);
  if (parentKind !== undefined && typeof parent !== 'number' && typeof parent !== 'string') {
    throw new Error(`${where}: a ${k} needs parent, the id of its ${parentKind}`);
  }
  return parentKind === undefined ? { kind: k, id } : { kind: k, id, parent: parent as number | string };
}

/** A non-negative integer id given as a number or as its decimal digits, else undefined. */
function integerId(value: number | string | undefined): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A campaign or broadcast action id as the API serves it (type drift, §7.4). */
function servedActionId(seed: number, id: number): number | string {
  return idAs(id, !actionIdAsInteger(seed, id));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The entity and the children that go with it, or why it cannot be deleted. */
function locate(world: World, e: DeletedEntity, gone: Gone): Found | string {
  const id = integerId(e.id);
  const label = `${e.kind.replace(/_/g, ' ')} ${String(e.id)}`;
  const unknown = `no ${label} in this workspace`;
  const already = `${label} is already deleted`;
  switch (e.kind) {
    case 'campaign': {
      const k = id === undefined ? -1 : campaignIndexOfId(id, world.campaigns.count);
      if (id === undefined || k < 0) return unknown;
      if (gone('campaign', id)) return already;
      // A campaign deleted mid-sync (data/deleted.ts) already serves no actions: none go with it.
      const shape = world.campaigns.shape(k);
      const actions = world.deleted.isDeleted('campaign', k) ? [] : range(shape.actionCount);
      return {
        entity: { kind: 'campaign', id },
        children: actions.map((j) => ({ kind: 'campaign_action', id: servedActionId(world.seed, actionId(id, j)), parent: id })),
      };
    }
    case 'campaign_action': {
      const parent = listedParent(world, 'campaign', e.parent, gone, (c) => campaignIndexOfId(c, world.campaigns.count));
      if (typeof parent === 'string') return parent;
      const j = id === undefined ? -1 : actionIndexOfId(world.campaigns.shape(parent.k), id);
      if (id === undefined || j < 0) return `campaign ${parent.id} has no action ${String(e.id)}`;
      if (gone('campaign_action', id)) return already;
      return { entity: { kind: 'campaign_action', id: servedActionId(world.seed, id), parent: parent.id }, children: [] };
    }
    case 'newsletter': {
      const k = id === undefined ? -1 : world.newsletters.indexOfId(id);
      if (id === undefined || k < 0) return unknown;
      if (gone('newsletter', id)) return already;
      const contents = world.deleted.isDeleted('newsletter', k) ? [] : world.newsletters.contentIdsAt(k);
      return { entity: { kind: 'newsletter', id }, children: contents.map((c) => ({ kind: 'newsletter_variant', id: c, parent: id })) };
    }
    case 'newsletter_variant': {
      const parent = listedParent(world, 'newsletter', e.parent, gone, (n) => world.newsletters.indexOfId(n));
      if (typeof parent === 'string') return parent;
      if (id === undefined || !world.newsletters.contentIdsAt(parent.k).includes(id)) return `newsletter ${parent.id} has no content ${String(e.id)}`;
      if (gone('newsletter_variant', id)) return already;
      return { entity: { kind: 'newsletter_variant', id, parent: parent.id }, children: [] };
    }
    case 'broadcast': {
      const k = id === undefined ? -1 : world.broadcasts.indexOfId(id);
      if (id === undefined || k < 0) return unknown;
      if (gone('broadcast', id)) return already;
      const actions = world.deleted.isDeleted('broadcast', k) ? [] : range(world.broadcasts.actionCount(k));
      return {
        entity: { kind: 'broadcast', id },
        children: actions.map((j) => ({ kind: 'broadcast_action', id: servedActionId(world.seed, broadcastActionId(id, j)), parent: id })),
      };
    }
    case 'broadcast_action': {
      const parent = listedParent(world, 'broadcast', e.parent, gone, (b) => world.broadcasts.indexOfId(b));
      if (typeof parent === 'string') return parent;
      const j = id === undefined ? -1 : world.broadcasts.actionIndexOfId(parent.k, String(id));
      if (id === undefined || j < 0) return `broadcast ${parent.id} has no action ${String(e.id)}`;
      if (gone('broadcast_action', id)) return already;
      return { entity: { kind: 'broadcast_action', id: servedActionId(world.seed, id), parent: parent.id }, children: [] };
    }
    case 'transactional_message':
      if (id === undefined || world.transactional.indexOfId(id) < 0) return unknown;
      return gone('transactional_message', id) ? already : { entity: { kind: 'transactional_message', id }, children: [] };
    case 'segment':
      if (id === undefined || world.segments.indexOfId(id) < 0) return unknown;
      return gone('segment', id) ? already : { entity: { kind: 'segment', id }, children: [] };
    case 'snippet': {
      const name = String(e.id);
      if (world.snippets.indexOfName(name) < 0) return unknown;
      return gone('snippet', name) ? already : { entity: { kind: 'snippet', id: name }, children: [] };
    }
    case 'collection':
      if (id === undefined || id < 1 || id > world.collections.count) return unknown;
      return gone('collection', id) ? already : { entity: { kind: 'collection', id }, children: [] };
  }
}

interface Parent {
  id: number;
  k: number;
}

/**
 * The parent of a child entity, which must still serve its children: not deleted between syncs,
 * and not a parent deleted mid-sync (data/deleted.ts), whose children already answer 404.
 */
function listedParent(
  world: World,
  kind: 'campaign' | 'newsletter' | 'broadcast',
  raw: number | string | undefined,
  gone: Gone,
  indexOf: (id: number) => number,
): Parent | string {
  const id = integerId(raw);
  const k = id === undefined ? -1 : indexOf(id);
  if (id === undefined || k < 0) return `no ${kind} ${String(raw)} in this workspace`;
  if (gone(kind, id)) return `${kind} ${id} is already deleted, and its children with it`;
  if (world.deleted.isDeleted(kind, k)) return `${kind} ${id} was deleted mid-sync (data/deleted.ts): nothing under it is served`;
  return { id, k };
}
