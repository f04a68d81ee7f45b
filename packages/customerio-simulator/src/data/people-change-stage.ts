import { hash32, type Draw } from '../random.js';
import { Entity } from '../tags.js';
import type { ActivityRecord } from './activity-record.js';
import { ulid } from './ids.js';
import { applyChanges, createdRecord, type PeopleChangeKind, type PersonChange, type PersonEffect } from './people-changes.js';
import type { CustomerRecord, Device } from './person-record.js';
import { COUNTRIES, FIRST_NAMES, LAST_NAMES, PLANS } from './text.js';
import type { World } from './world.js';

/**
 * What one planned step of a change batch becomes (data/people-change-batch.ts plans the steps
 * and their times): the change to the profile, computed on the profile as the batch has left it
 * so far, and the activity it writes.
 */

export type StepKind = 'attribute' | 'silent' | 'create' | 'delete' | 'merge' | 'device' | 'unsubscribe' | 'topic';

/** One step of a story: a change to the story's person (a merge also removes `other`). */
export interface Step {
  kind: StepKind;
  /** The person; a negative stand-in for one the batch creates (Stage numbers them). */
  p: number;
  other?: number;
}

const ACTIVITY_TYPE: Record<Exclude<StepKind, 'silent'>, PeopleChangeKind> = {
  attribute: 'attribute_change',
  create: 'profile_create',
  delete: 'profile_delete',
  merge: 'profile_merge',
  device: 'device_change',
  unsubscribe: 'unsubscribed_email',
  topic: 'topic_unsubscribed_email',
};

/** The batch being built: each step becomes changes, computed on the profiles as staged so far. */
export class Stage {
  readonly changes: PersonChange[] = [];
  private readonly staged = new Map<number, PersonChange[]>();
  /** Stand-in → index of the people this batch created. */
  private readonly createdAs = new Map<number, number>();
  private readonly firstSeq: number;

  constructor(
    private readonly world: World,
    private readonly batch: number,
    private readonly draw: Draw,
  ) {
    this.firstSeq = world.people.changes.entries().length;
  }

  apply(planned: Step, at: number): void {
    if (planned.kind === 'create') {
      const p = this.world.people.total + this.createdAs.size;
      this.createdAs.set(planned.p, p);
      return this.createProfile(p, at);
    }
    const step = planned.p >= 0 ? planned : { ...planned, p: this.createdAs.get(planned.p) ?? -1 };
    const before = this.profile(step.p, at);
    switch (step.kind) {
      case 'attribute':
      case 'silent': {
        const { effect, data } = this.attributeEdit(step.p, before);
        return this.push(step, at, { attributes: effect }, step.kind === 'silent' ? null : data, before);
      }
      case 'delete':
        return this.push(step, at, { gone: 'deleted' }, {}, before);
      case 'merge':
        return this.merge(step, at, before);
      case 'device':
        return this.deviceChange(step, at, before);
      case 'unsubscribe':
        // A person unsubscribed earlier in their story gets an attribute change instead.
        if (before.unsubscribed) return this.apply({ ...step, kind: 'attribute' }, at);
        return this.push(step, at, { unsubscribed: true }, {}, before);
      case 'topic':
        return this.topicUnsubscribe(step, at, before);
    }
  }

  /** Person p at `at` with this batch's changes so far. */
  private profile(p: number, at: number): CustomerRecord {
    const staged = this.staged.get(p) ?? [];
    const create = staged[0]?.effect.create;
    if (create !== undefined) return applyChanges(createdRecord(create), staged);
    const base = this.world.people.exists(p) ? this.world.people.customer(p, at) : undefined;
    if (base === undefined) throw new Error(`simulator: person ${p} changed before it exists`);
    return staged.length === 0 ? base : applyChanges(base, staged);
  }

  private push(step: Step, at: number, effect: PersonEffect, data: Record<string, unknown> | null, before: CustomerRecord, kind?: PeopleChangeKind): void {
    const seq = this.firstSeq + this.changes.length;
    const type = kind ?? ACTIVITY_TYPE[step.kind === 'silent' ? 'attribute' : step.kind];
    const change: PersonChange = { batch: this.batch, seq, at, p: step.p, cio_id: before.identifiers.cio_id, kind: type, activity: null, effect };
    const mine = this.staged.get(step.p);
    if (mine === undefined) this.staged.set(step.p, [change]);
    else mine.push(change);
    if (data !== null) {
      // The activity names the person as they are after the change (a new email included).
      const who = effect.gone === undefined ? this.profile(step.p, at).identifiers : before.identifiers;
      change.activity = this.activity(seq, type, at, who, data);
    }
    this.changes.push(change);
  }

  /**
   * The activity record, shaped like the generated feed's. `customer_id` is null for people
   * without an id and, as the docs allow for workspaces with several identifiers, for about one
   * change in four of people with one and for the first activity of every batch: only
   * `customer_identifiers.cio_id` always names the person.
   */
  private activity(seq: number, type: string, at: number, who: CustomerRecord['identifiers'], data: Record<string, unknown>): ActivityRecord {
    const nullId = who.id === null || this.changes.every((c) => c.activity === null) || hash32(this.world.seed, Entity.peopleChange, seq, 1) % 4 === 0;
    return {
      id: ulid(at * 1000 + (seq % 1000), this.world.seed, Entity.peopleChange, seq),
      type,
      timestamp: at,
      customer_id: nullId ? null : who.id,
      customer_identifiers: { cio_id: who.cio_id, email: who.email, id: who.id },
      data,
    };
  }

  /** A new profile: every third has no customer id (email only), the others an id and most an email. */
  private createProfile(p: number, at: number): void {
    const nth = p - this.world.people.total;
    const first = this.draw.pick(FIRST_NAMES);
    const last = this.draw.pick(LAST_NAMES);
    const id = nth % 3 === 1 ? null : `user_${p + 1}`;
    const email = id !== null && nth % 4 === 3 ? null : `${first.toLowerCase()}.${last.toLowerCase()}.${p + 1}@example.com`;
    const identity = { cio_id: this.world.people.cioId(p), id, email };
    const attributes: Record<string, string | null> = {
      cio_id: identity.cio_id,
      country: this.draw.pick(COUNTRIES),
      created_at: String(at),
      first_name: first,
      last_name: last,
      plan: 'free',
    };
    if (email !== null) attributes.email = email;
    if (id !== null) attributes.id = id;
    const step: Step = { kind: 'create', p };
    const before = createdRecord({ identity, created: at });
    this.push(step, at, { create: { identity, created: at }, attributes }, {}, before);
  }

  /** One attribute (one change in five: two), as strings; "" for a value the profile lacks (§5.3). */
  private attributeEdit(p: number, record: CustomerRecord): { effect: Record<string, string | null>; data: Record<string, { from: string; to: string }> } {
    const effect: Record<string, string | null> = {};
    const data: Record<string, { from: string; to: string }> = {};
    const n = this.draw.chance(0.2) ? 2 : 1;
    for (let tries = 0; Object.keys(effect).length < n && tries < 8; tries++) {
      const [key, to] = this.newValue(p, record);
      if (key in effect) continue;
      const from = record.attributes[key] ?? '';
      if (from === (to ?? '')) continue;
      effect[key] = to;
      data[key] = { from, to: to ?? '' };
    }
    if (Object.keys(effect).length === 0) {
      const to = record.attributes.favorite_color === 'violet' ? 'indigo' : 'violet';
      effect.favorite_color = to;
      data.favorite_color = { from: record.attributes.favorite_color ?? '', to };
    }
    return { effect, data };
  }

  private newValue(p: number, record: CustomerRecord): [string, string | null] {
    const a = record.attributes;
    const other = <T extends string>(list: readonly T[], current: string | undefined): string => this.draw.pick(list.filter((x) => x !== current));
    const key = this.draw.weighted([
      ['plan', 3],
      ['country', 1],
      ['first_name', 1],
      ['last_name', 1],
      ['lifetime_value', 2],
      ['newsletter_opt_in', 1],
      ['email', 1],
      ['favorite_color', 1],
      ['remove', 1],
    ] as const);
    switch (key) {
      case 'plan':
        return ['plan', other(PLANS, a.plan)];
      case 'country':
        return ['country', other(COUNTRIES, a.country)];
      case 'first_name':
        return ['first_name', other(FIRST_NAMES, a.first_name)];
      case 'last_name':
        return ['last_name', other(LAST_NAMES, a.last_name)];
      case 'lifetime_value':
        return ['lifetime_value', (this.draw.int(500_000) / 100).toFixed(2)];
      case 'newsletter_opt_in':
        return ['newsletter_opt_in', a.newsletter_opt_in === 'true' ? 'false' : 'true'];
      case 'email': {
        // A new address, unique by person and log position: the identifiers change with it.
        const local = (a.email ?? `${(a.first_name ?? 'someone').toLowerCase()}@`).split('@')[0] ?? 'someone';
        return ['email', `${local}.c${this.firstSeq + this.changes.length}@example.net`];
      }
      case 'favorite_color':
        return ['favorite_color', this.draw.pick(['red', 'green', 'blue', 'teal', 'amber'].filter((c) => c !== a.favorite_color))];
      case 'remove': {
        const removable = ['favorite_color', 'newsletter_opt_in', 'lifetime_value'].filter((k) => a[k] !== undefined);
        return removable.length === 0 ? ['favorite_color', 'red'] : [this.draw.pick(removable), null];
      }
    }
  }

  /**
   * A merge (ASSUMPTION, UNCONFIRMED in the API facts): the activity is written on the survivor
   * only, naming the merged-away profile in `data.merged_cio_id` and nowhere else; the
   * merged-away profile gets no activity and no profile_delete, it just disappears. The
   * survivor keeps its own values and takes what it lacked from the other (its email too, when
   * it had none), their devices together, and lifetime_value as the sum.
   */
  private merge(step: Step, at: number, survivor: CustomerRecord): void {
    const other = step.other;
    if (other === undefined) throw new Error('simulator: a merge without its other profile');
    const gone = this.profile(other, at);
    const attributes: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(gone.attributes)) {
      if (key === 'cio_id' || key === 'id' || key === 'created_at' || survivor.attributes[key] !== undefined) continue;
      attributes[key] = value;
    }
    const sum = Number(survivor.attributes.lifetime_value ?? '0') + Number(gone.attributes.lifetime_value ?? '0');
    attributes.lifetime_value = sum.toFixed(2);
    const devices = [...(survivor.devices ?? []), ...(gone.devices ?? [])];
    const effect: PersonEffect = { attributes, devices: devices.length === 0 ? null : devices, other: gone.identifiers.cio_id };
    this.push(step, at, effect, { merged_cio_id: gone.identifiers.cio_id }, survivor);
    this.push({ kind: 'merge', p: other }, at, { gone: 'merged', other: survivor.identifiers.cio_id }, null, gone, 'profile_merge');
  }

  /** A device added (always when it has none), removed, or seen again (`last_used` moves to the change). */
  private deviceChange(step: Step, at: number, before: CustomerRecord): void {
    const devices = [...(before.devices ?? [])];
    const roll = this.draw.float();
    let device: Device;
    let change: 'added' | 'removed' | 'updated';
    if (devices.length === 0 || roll < 0.4) {
      device = {
        id: this.draw.hex(32),
        platform: this.draw.chance(0.5) ? 'ios' : 'android',
        last_used: at,
        attributes: { app_version: `4.${this.draw.int(12)}.0` },
      };
      devices.push(device);
      change = 'added';
    } else {
      const i = this.draw.int(devices.length);
      const old = devices[i] as Device;
      if (roll < 0.7) {
        devices.splice(i, 1);
        device = old;
        change = 'removed';
      } else {
        device = { ...old, last_used: at };
        devices[i] = device;
        change = 'updated';
      }
    }
    const data = { device_id: device.id, platform: device.platform, change };
    this.push(step, at, { devices: devices.length === 0 ? null : devices }, data, before);
  }

  /**
   * Unsubscribing from one topic (ASSUMPTION: no source shows where a profile keeps its topic
   * preferences): the `cio_subscription_preferences` attribute, a JSON string
   * `{"topics":{"topic_<id>":false,…}}`, and `data.topic_id` on the activity.
   */
  private topicUnsubscribe(step: Step, at: number, before: CustomerRecord): void {
    const raw = before.attributes.cio_subscription_preferences;
    const topics = raw === undefined ? {} : ((JSON.parse(raw) as { topics?: Record<string, boolean> }).topics ?? {});
    const open = Array.from({ length: this.world.topics.count }, (_, k) => k + 1).filter((id) => topics[`topic_${id}`] !== false);
    if (open.length === 0) return this.apply({ ...step, kind: 'attribute' }, at);
    const id = this.draw.pick(open);
    const next: Record<string, boolean> = { ...topics, [`topic_${id}`]: false };
    const sorted = Object.fromEntries(
      Object.keys(next)
        .sort()
        .map((k) => [k, next[k]]),
    );
    this.push(step, at, { attributes: { cio_subscription_preferences: JSON.stringify({ topics: sorted }) } }, { topic_id: id }, before);
  }
}
