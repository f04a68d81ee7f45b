import { Draw } from '../random.js';
import { Entity, ScheduleTag } from '../tags.js';

/**
 * How often an entity is edited. Nothing is stored: each entity gets a fixed period and phase
 * from its seed, and its `updated` is the latest scheduled edit not after the clock. Moving the
 * clock therefore changes `updated` for exactly the entities whose next edit falls inside the
 * step, and the same clock always gives the same answer.
 */
export interface UpdateSchedule {
  /** Share of entities never edited after creation. */
  staticShare: number;
  /** Bounds of the edit period, seconds. */
  minPeriod: number;
  maxPeriod: number;
}

export interface LatestUpdate {
  /** Time of the latest edit ≤ now, or `created` when there was none. */
  at: number;
  /** How many edits happened so far. */
  count: number;
}

export function latestUpdate(seed: number, scheduleTag: number, index: number, created: number, now: number, schedule: UpdateSchedule): LatestUpdate {
  const draw = new Draw(seed, Entity.schedule, index, scheduleTag);
  if (draw.chance(schedule.staticShare)) return { at: created, count: 0 };
  const period = draw.range(schedule.minPeriod, schedule.maxPeriod);
  const firstEdit = created + 1 + draw.int(period);
  if (now < firstEdit) return { at: created, count: 0 };
  const n = Math.floor((now - firstEdit) / period);
  return { at: firstEdit + n * period, count: n + 1 };
}

/**
 * The latest edit ≤ now of record k of a collection tagged in `Tag` (tags.ts). All of them share
 * the schedule lane `ScheduleTag.collection`; the tag goes in the high bits of the index, so each
 * collection's schedules stay independent without a lane of their own.
 */
export function updatedAt(seed: number, tag: number, k: number, created: number, now: number, schedule: UpdateSchedule): number {
  return latestUpdate(seed, ScheduleTag.collection, tag * 2 ** 24 + k, created, now, schedule).at;
}
