import { Draw } from '../random.js';
import { Entity } from '../tags.js';
import { lastChangeAt } from './change-feed.js';
import { PEOPLE_CHANGE_KINDS, type PeopleChangeBatch } from './people-changes.js';
import { Stage, type Step, type StepKind } from './people-change-stage.js';
import type { World } from './world.js';

/**
 * What a change batch asks for: how many changes of each kind. The activity types, plus
 * `silent` (attribute changes that write no activity, as an import does) and `several` (people
 * changed two to four times in the batch, on top of the other counts).
 */
export const PEOPLE_CHANGE_COUNT_KEYS = [...PEOPLE_CHANGE_KINDS, 'silent', 'several'] as const;

export type PeopleChangeCountKey = (typeof PEOPLE_CHANGE_COUNT_KEYS)[number];
export type PeopleChangeCounts = Partial<Record<PeopleChangeCountKey, number>>;

/** Simulator.changePeople's argument and the body of POST /__sim/change-people. */
export interface PeopleChangeRequest {
  /** Omitted: DEFAULT_PEOPLE_CHANGES. Given: kinds left out are 0. */
  counts?: PeopleChangeCounts;
  /** Picks people and values; default the batch number, so the same batches replay the same. */
  seed?: number;
}

/** A bit of everything: what a batch holds when the request names no counts. */
export const DEFAULT_PEOPLE_CHANGES: Readonly<Record<PeopleChangeCountKey, number>> = {
  attribute_change: 6,
  profile_create: 3,
  profile_delete: 2,
  profile_merge: 2,
  device_change: 3,
  unsubscribed_email: 2,
  topic_unsubscribed_email: 2,
  silent: 3,
  several: 2,
};

/** More than this in one batch is refused: a batch is a handful of edits between two syncs. */
export const MAX_CHANGES_PER_BATCH = 10_000;

/**
 * Resolves a batch against the workspace as it is now, at the clock `world.now()`: who changes,
 * what, and when. Changes get times spread over the time since the previous batch (or since the
 * initial clock), ascending in log order, and some share a second. Throws an Error, changing
 * nothing, for a malformed request or one that asks for more people than the workspace has.
 */
export function resolvePeopleChanges(world: World, request: unknown): PeopleChangeBatch {
  const { counts, seed } = parseRequest(request);
  const people = world.people;
  const batch = people.changes.batches + 1;
  const now = world.now();
  const draw = new Draw(world.seed, Entity.peopleChange, seed ?? batch);
  const stories = planStories(world, counts, draw);
  const order = interleave(stories, draw);
  // Since the previous batch of people or objects, so the change feed stays in time order.
  const times = spreadTimes(lastChangeAt(world), now, order.length, draw);
  const stage = new Stage(world, batch, draw);
  order.forEach((step, i) => stage.apply(step, times[i] ?? now));
  return { batch, at: now, changes: stage.changes };
}

function parseRequest(raw: unknown): { counts: Record<PeopleChangeCountKey, number>; seed: number | undefined } {
  if (raw === undefined || raw === null) return { counts: { ...DEFAULT_PEOPLE_CHANGES }, seed: undefined };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error('changePeople takes {counts?, seed?}');
  const { counts, seed, ...rest } = raw as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new Error(`changePeople: unknown field ${extra.join(', ')} (counts, seed)`);
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)) {
    throw new Error('changePeople: seed must be a non-negative integer');
  }
  if (counts === undefined) return { counts: { ...DEFAULT_PEOPLE_CHANGES }, seed };
  if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) throw new Error('changePeople: counts must be an object');
  const out = Object.fromEntries(PEOPLE_CHANGE_COUNT_KEYS.map((k) => [k, 0])) as Record<PeopleChangeCountKey, number>;
  let total = 0;
  for (const [key, value] of Object.entries(counts)) {
    if (!(PEOPLE_CHANGE_COUNT_KEYS as readonly string[]).includes(key)) {
      throw new Error(`changePeople: unknown count ${JSON.stringify(key)} (one of ${PEOPLE_CHANGE_COUNT_KEYS.join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`changePeople: counts.${key} must be a non-negative integer`);
    out[key as PeopleChangeCountKey] = value;
    total += value;
  }
  if (total > MAX_CHANGES_PER_BATCH) throw new Error(`changePeople: at most ${MAX_CHANGES_PER_BATCH} changes per batch`);
  return { counts: out, seed };
}

/**
 * Stories: the steps of one person (two for a merge) in the order they happen. Besides one
 * change per person, the batch stages the cases an incremental reader gets wrong: a person
 * changed and then deleted (the change is then only served with deleted=true), a person created
 * and then changed, and `several` people changed two to four times.
 */
function planStories(world: World, counts: Record<PeopleChangeCountKey, number>, draw: Draw): Step[][] {
  const picker = new Picker(world, draw);
  const stories: Step[][] = [];
  let attributes = counts.attribute_change;
  for (let i = 0; i < counts.profile_create; i++) {
    // A stand-in until the step runs: new people are numbered in the order they are created.
    const p = -1 - i;
    const story: Step[] = [{ kind: 'create', p }];
    if (i === 0 && attributes >= 2) {
      story.push({ kind: 'attribute', p });
      attributes--;
    }
    stories.push(story);
  }
  for (let i = 0; i < counts.profile_delete; i++) {
    const p = picker.pick();
    const story: Step[] = [{ kind: 'delete', p }];
    if (i === 0 && attributes >= 1) {
      story.unshift({ kind: 'attribute', p });
      attributes--;
    }
    stories.push(story);
  }
  for (let i = 0; i < counts.profile_merge; i++) {
    const survivor = picker.pick();
    stories.push([{ kind: 'merge', p: survivor, other: picker.pick() }]);
  }
  const single = (kind: StepKind, n: number, fits?: (p: number) => boolean): void => {
    for (let i = 0; i < n; i++) stories.push([{ kind, p: picker.pick(fits) }]);
  };
  single('attribute', attributes);
  single('silent', counts.silent);
  single('device', counts.device_change);
  const subscribed = (p: number): boolean => !world.people.customer(p, world.now()).unsubscribed;
  single('unsubscribe', counts.unsubscribed_email, subscribed);
  if (counts.topic_unsubscribed_email > 0 && world.topics.count === 0) throw new Error('changePeople: this workspace has no subscription topics');
  single('topic', counts.topic_unsubscribed_email);
  for (let i = 0; i < counts.several; i++) {
    const p = picker.pick();
    const kinds: StepKind[] = ['attribute', 'device', 'silent', 'attribute', 'topic', 'unsubscribe'];
    const story: Step[] = [{ kind: 'attribute', p }];
    const n = draw.range(2, 4);
    while (story.length < n) {
      const kind = draw.pick(kinds);
      if (kind === 'topic' && world.topics.count === 0) continue;
      story.push({ kind, p });
    }
    stories.push(story);
  }
  return stories;
}

/** Picks distinct people that have a profile now, at random. */
class Picker {
  private readonly used = new Set<number>();

  constructor(
    private readonly world: World,
    private readonly draw: Draw,
  ) {}

  pick(fits: (p: number) => boolean = () => true): number {
    const people = this.world.people;
    const ok = (p: number): boolean => !this.used.has(p) && people.exists(p) && fits(p);
    let p = -1;
    for (let tries = 0; tries < 64 && p < 0; tries++) {
      const q = this.draw.int(people.total);
      if (ok(q)) p = q;
    }
    // A crowded workspace: walk on from a random person to the next that fits.
    for (let i = 0, from = this.draw.int(people.total); p < 0 && i < people.total; i++) {
      const q = (from + i) % people.total;
      if (ok(q)) p = q;
    }
    if (p < 0) throw new Error('changePeople: not enough people in the workspace for this batch');
    this.used.add(p);
    return p;
  }
}

/** The steps of all stories in one order, each story's steps in its own order. */
export function interleave<S>(stories: S[][], draw: Draw): S[] {
  const queues = stories.map((s) => [...s]);
  const out: S[] = [];
  let open = queues.filter((q) => q.length > 0);
  while (open.length > 0) {
    const q = open[draw.int(open.length)] as S[];
    out.push(q.shift() as S);
    open = open.filter((x) => x.length > 0);
  }
  return out;
}

/**
 * n ascending times in (from, to] (all `to` when the clock has not moved since `from`); about
 * one in three repeats the time before it, and at least one pair shares a second.
 */
export function spreadTimes(from: number, to: number, n: number, draw: Draw): number[] {
  const span = to - from;
  const times = Array.from({ length: n }, () => (span <= 0 ? to : from + 1 + draw.int(span))).sort((a, b) => a - b);
  let shared = false;
  for (let i = 1; i < n; i++) {
    if (draw.chance(0.3)) times[i] = times[i - 1] as number;
    if (times[i] === times[i - 1]) shared = true;
  }
  if (!shared && n >= 2) times[n - 1] = times[n - 2] as number;
  return times;
}
