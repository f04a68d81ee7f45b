import { Draw, hash32, hex8 } from '../random.js';
import { DAY } from '../scale.js';
import { Entity, ScheduleTag } from '../tags.js';
import { inverseMod2p32 } from './ids.js';
import { COUNTRIES, FIRST_NAMES, LAST_NAMES, PLANS } from './text.js';
import { customerWrapped } from './drift.js';
import { latestUpdate } from './schedule.js';
import { applyChanges, createdRecord, PeopleChanges } from './people-changes.js';
import type { CustomerRecord, Device, Identity } from './person-record.js';

// The record types live apart so data/people-changes.ts can use them without an import cycle.
export type { CustomerRecord, Device, Identity } from './person-record.js';

/** One entry of `identifiers` in search and membership responses. */
export interface IdentifiersEntry {
  cio_id: string;
  /** Absent (not null) for people without an email address, as for workspaces without email ids. */
  email?: string;
  id: string | null;
}

/** A person in the `ids` of membership and search answers: the customer id, "" for a person without one. */
export function listedId(entry: IdentifiersEntry): string {
  return entry.id ?? '';
}

/**
 * A POST /v1/customers/attributes item as served: bare (S3, live) or, for one person in three,
 * wrapped as `{"customer": {...}}` like the docs example (§7.12; drift.ts customerWrapped).
 */
export type ServedCustomer = CustomerRecord | { customer: CustomerRecord };

const ID_PREFIX = 'user_';
// An odd multiplier is a bijection on uint32, so cio_ids are unique and map back to an index.
const CIO_MULTIPLIER = 0x9e3779b1;
const CIO_INVERSE = inverseMod2p32(CIO_MULTIPLIER);

export class People {
  /**
   * Changes between syncs (Simulator.changePeople, data/people-changes.ts), folded over the
   * generated profiles by the methods below. `count` stays the generated count: the history
   * generators (messages, activities) draw people from it, and history does not change.
   */
  readonly changes = new PeopleChanges();
  private readonly cioMask: number;
  private readonly firstCreated: number;
  private readonly spacing: number;

  constructor(
    private readonly seed: number,
    readonly count: number,
    origin: number,
  ) {
    this.cioMask = hash32(seed, Entity.person, 0xffffff, 7);
    // Sign-ups spread evenly over the three years before the initial clock.
    this.firstCreated = origin - 3 * 365 * DAY;
    this.spacing = Math.max(1, Math.floor((3 * 365 * DAY - DAY) / Math.max(1, count)));
  }

  cioId(p: number): string {
    return hex8(Math.imul((p ^ this.cioMask) >>> 0, CIO_MULTIPLIER) >>> 0);
  }

  /** Generated people plus those change batches created (indices count … total − 1), gone ones included. */
  get total(): number {
    return this.count + this.changes.createdCount;
  }

  /** People with a profile now: `total` less those deleted or merged away. */
  liveCount(): number {
    return this.total - this.changes.departures().size;
  }

  /** Whether person p has a profile after change batch `asOf` (default: every batch so far). */
  exists(p: number, asOf = Infinity): boolean {
    if (!Number.isInteger(p) || p < 0 || p >= this.total) return false;
    if (this.changes.departure(p, asOf) !== undefined) return false;
    return p < this.count || this.changes.of(p, asOf).length > 0;
  }

  /** -1 when the cio_id belongs to nobody (or to a profile deleted or merged away). */
  indexOfCioId(cioId: string): number {
    const p = this.indexOfAnyCioId(cioId);
    return this.exists(p) ? p : -1;
  }

  /** The person a cio_id was issued to, gone or not; -1 when it never was. */
  indexOfAnyCioId(cioId: string): number {
    if (!/^[0-9a-f]{8}$/.test(cioId)) return -1;
    const p = ((Math.imul(parseInt(cioId, 16), CIO_INVERSE) >>> 0) ^ this.cioMask) >>> 0;
    return p < this.total ? p : -1;
  }

  /** -1 when no person has that customer id (`includeGone`: deleted and merged-away people too). */
  indexOfId(id: string, includeGone = false): number {
    if (!id.startsWith(ID_PREFIX)) return -1;
    const digits = id.slice(ID_PREFIX.length);
    if (!/^[1-9][0-9]*$/.test(digits)) return -1;
    const p = Number(digits) - 1;
    return p < this.total && this.currentIdentity(p).id === id && (includeGone || this.exists(p)) ? p : -1;
  }

  /** -1 when no person has that email now (`includeGone`: deleted and merged-away people too). */
  indexOfEmail(email: string, includeGone = false): number {
    const holds = (p: number): boolean => this.currentIdentity(p).email === email && (includeGone || this.exists(p));
    // A changed or created email first: a merge can hand a merged-away person's email over.
    const owner = this.changes.emailOwner(email);
    if (owner !== undefined && holds(owner)) return owner;
    const m = /\.([1-9][0-9]*)@example\.com$/.exec(email);
    const p = m === null ? -1 : Number(m[1]) - 1;
    return p >= 0 && p < this.total && holds(p) ? p : -1;
  }

  /**
   * The identifiers person p was generated with: what history (messages, activities) carries.
   * A change batch can change the email since (currentIdentity).
   */
  identity(p: number): Identity {
    const draw = new Draw(this.seed, Entity.person, p);
    const first = draw.pick(FIRST_NAMES).toLowerCase();
    const last = draw.pick(LAST_NAMES).toLowerCase();
    // Some people were created from events before an id was known, some never gave an email.
    const hasId = !draw.chance(0.08);
    const hasEmail = !draw.chance(0.06);
    return {
      cio_id: this.cioId(p),
      id: hasId ? `${ID_PREFIX}${p + 1}` : null,
      email: hasEmail ? `${first}.${last}.${p + 1}@example.com` : null,
    };
  }

  /** The identifiers now, after change batches up to `asOf` (an email change, a created person). */
  currentIdentity(p: number, asOf = Infinity): Identity {
    const changes = this.changes.of(p, asOf);
    if (changes.length === 0) return this.identity(p);
    let who = changes[0]?.effect.create?.identity ?? this.identity(p);
    for (const c of changes) {
      const email = c.effect.attributes?.email;
      if (email !== undefined) who = { ...who, email };
    }
    return who;
  }

  /** The `identifiers` entry of search and membership answers, as the person is now. */
  identifiers(p: number): IdentifiersEntry {
    const who = this.currentIdentity(p);
    return who.email === null ? { cio_id: who.cio_id, id: who.id } : { cio_id: who.cio_id, email: who.email, id: who.id };
  }

  created(p: number): number {
    return this.firstCreated + p * this.spacing + (hash32(this.seed, Entity.person, p, 99) % this.spacing);
  }

  /** The person's plan attribute and when it was last set: plans change on a schedule. */
  plan(p: number, now: number): { value: string; at: number } {
    const created = this.created(p);
    const update = latestUpdate(this.seed, ScheduleTag.personPlan, p, created, now, {
      staticShare: 0.6,
      minPeriod: 20 * DAY,
      maxPeriod: 400 * DAY,
    });
    const base = hash32(this.seed, Entity.person, p, 98);
    return { value: PLANS[(base + update.count) % PLANS.length] ?? 'free', at: update.at };
  }

  /**
   * The hydrated person at clock `now`, with the changes of batches up to `asOf` folded in
   * (data/people-changes.ts applyChanges). Person p must exist (or have existed) as of `asOf`.
   */
  customer(p: number, now: number, asOf = Infinity): CustomerRecord {
    const changes = this.changes.of(p, asOf);
    if (changes.length === 0) return this.generatedCustomer(p, now);
    const create = changes[0]?.effect.create;
    return applyChanges(create === undefined ? this.generatedCustomer(p, now) : createdRecord(create), changes);
  }

  private generatedCustomer(p: number, now: number): CustomerRecord {
    const who = this.identity(p);
    const draw = new Draw(this.seed, Entity.person, p, 1);
    const created = this.created(p);
    const plan = this.plan(p, now);
    const [first, last] = who.email?.split('@')[0]?.split('.') ?? [];
    const country = draw.pick(COUNTRIES);
    const lifetimeValue = (draw.int(500_000) / 100).toFixed(2);
    const optIn = draw.chance(0.55) ? 'true' : 'false';
    const attributes: Record<string, string> = {};
    const timestamps: Record<string, number> = {};
    // Customer.io serves attribute maps with sorted keys and every value as a string.
    const set = (key: string, value: string | null | undefined, at: number): void => {
      if (value === null || value === undefined) return;
      attributes[key] = value;
      timestamps[key] = at;
    };
    set('cio_id', who.cio_id, created);
    set('country', country, created);
    set('created_at', String(created), created);
    set('email', who.email, created);
    set('first_name', first ? capitalise(first) : draw.pick(FIRST_NAMES), created);
    set('id', who.id, created);
    set('last_name', last ? capitalise(last) : draw.pick(LAST_NAMES), created);
    set('lifetime_value', lifetimeValue, created);
    set('newsletter_opt_in', optIn, created);
    set('plan', plan.value, plan.at);

    let devices: Device[] | null = null;
    if (draw.chance(0.35)) {
      devices = [];
      const n = draw.range(1, 2);
      for (let i = 0; i < n; i++) {
        const lastUsed = Math.min(now, created + draw.int(Math.max(1, now - created)));
        devices.push({
          id: draw.hex(32),
          platform: draw.chance(0.5) ? 'ios' : 'android',
          last_used: lastUsed,
          attributes: { app_version: `3.${draw.int(12)}.${draw.int(10)}` },
        });
      }
    }
    return {
      id: who.id,
      identifiers: who,
      attributes,
      devices,
      timestamps,
      unsubscribed: draw.chance(0.05),
    };
  }

  /** The hydrated item in the shape POST /v1/customers/attributes serves it. */
  servedCustomer(p: number, now: number): ServedCustomer {
    const record = this.customer(p, now);
    return customerWrapped(this.seed, record.identifiers.cio_id) ? { customer: record } : record;
  }

  /** Attribute values for search filters, without building the whole record. */
  attributeValue(p: number, field: string, now: number, asOf = Infinity): string | undefined {
    if (this.changes.touched(p)) return this.customer(p, now, asOf).attributes[field];
    const who = this.identity(p);
    if (field === 'cio_id') return who.cio_id;
    if (field === 'id') return who.id ?? undefined;
    if (field === 'email') return who.email ?? undefined;
    if (field === 'plan') return this.plan(p, now).value;
    if (field === 'created_at') return String(this.created(p));
    return this.customer(p, now).attributes[field];
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
