import { latestUpdate, type UpdateSchedule } from './schedule.js';

/**
 * Random-stream tags for the collections added after the core eight (broadcasts, transactional,
 * newsletter variants, workspace configuration, objects, suppressions). random.ts's `Entity` list
 * is shared with work in progress elsewhere, so these live here and start at 64, well clear of
 * it: a Draw tag is entity·16 + lane, so any distinct number gives an independent stream.
 */
export const Tag = {
  broadcast: 64,
  broadcastAction: 65,
  broadcastTrigger: 66,
  transactional: 67,
  variant: 68,
  testGroup: 69,
  sender: 70,
  snippet: 71,
  collection: 72,
  reportingWebhook: 73,
  objectType: 74,
  object: 75,
  topic: 76,
  channel: 77,
  export: 78,
  suppression: 79,
  /** Where object search repeats an entry (the duplicates the docs warn about). */
  objectPage: 80,
  /** Which broadcasts answer their actions in two pages. */
  broadcastPaging: 81,
} as const;

/**
 * Lane 15 of the schedule stream, free in schedule.ts's ScheduleTag (lanes 1..5 used). The tag
 * goes in the high bits of the index, so each collection's schedules stay independent without
 * growing that shared list.
 */
const SCHEDULE_LANE = 15;

/** The latest edit ≤ now of record k of a tagged collection (see schedule.ts). */
export function updatedAt(seed: number, tag: number, k: number, created: number, now: number, schedule: UpdateSchedule): number {
  return latestUpdate(seed, SCHEDULE_LANE, tag * 2 ** 24 + k, created, now, schedule).at;
}
