/** The kinds of entity a test can delete between two syncs (Simulator.deleteEntities). */
export const DELETABLE_KINDS = [
  'campaign',
  'campaign_action',
  'newsletter',
  'newsletter_variant',
  'broadcast',
  'broadcast_action',
  'transactional_message',
  'segment',
  'snippet',
  'collection',
] as const;

export type DeletableKind = (typeof DELETABLE_KINDS)[number];

/** The kind of the parent of each kind that lives under one. */
export const PARENT_KIND: Partial<Record<DeletableKind, DeletableKind>> = {
  campaign_action: 'campaign',
  newsletter_variant: 'newsletter',
  broadcast_action: 'broadcast',
};

/**
 * An entity deleted between syncs. `id` as the API serves it: an integer, except campaign and
 * broadcast action ids (a string or an integer, data/drift.ts actionIdAsInteger) and snippets
 * (their `name`). `parent` for the kinds that live under one: the campaign of a
 * `campaign_action`, the newsletter of a `newsletter_variant` (its content), the broadcast of a
 * `broadcast_action`. Given to deleteEntities, ids may come as numbers or decimal strings either way.
 */
export interface DeletedEntity {
  kind: DeletableKind;
  id: number | string;
  parent?: number | string;
}

/**
 * What was deleted between syncs, as a real delete in Customer.io does it: the entity leaves its
 * list and everything under it answers 404 (data/delete-batch.ts resolves what a request deletes,
 * data/listed.ts and the routes consult this). Unlike data/deleted.ts (parents deleted *during*
 * a sync, still listed), nothing here is drawn from the seed: only deleteEntities fills it, and
 * each world (the main thread's and the route worker's) holds its own copy, kept equal by
 * applying the same batches in the same order.
 */
export class Deletions {
  /** kind → the id as text → the batch (1, 2, …) that deleted it. */
  private readonly gone = new Map<DeletableKind, Map<string, number>>();
  private readonly log: DeletedEntity[] = [];
  private batch = 0;

  /** Batches applied so far: an export job remembers it, so its file never changes after it was posted. */
  get batches(): number {
    return this.batch;
  }

  /** Whether the entity was deleted, by batch `asOf` at the latest (default: any batch so far). */
  has(kind: DeletableKind, id: number | string, asOf = Infinity): boolean {
    const at = this.gone.get(kind)?.get(String(id));
    return at !== undefined && at <= asOf;
  }

  /** Every entity deleted so far, in the order deleted, each parent before the children it took with it. */
  entities(): DeletedEntity[] {
    return this.log.map((e) => ({ ...e }));
  }

  /** Applies one resolved batch (delete-batch.ts), as one step: all its entities carry the same batch number. */
  commit(entities: readonly DeletedEntity[]): void {
    this.batch++;
    for (const e of entities) {
      let ids = this.gone.get(e.kind);
      if (ids === undefined) this.gone.set(e.kind, (ids = new Map()));
      ids.set(String(e.id), this.batch);
      this.log.push({ ...e });
    }
  }
}
