import { fillHour, HOUR, type Leaf } from './hourly.js';
import { linkShare } from './links.js';
import { JOURNEY_SERIES, M, MESSAGE_SERIES } from './series.js';

export type SeriesMap = Record<string, number[]>;

export interface LinkMetric {
  link: { id: number; href: string };
  metric: { series: { clicked: number[]; human_clicked: number[]; machine_clicked: number[] } };
}

function namesOf(leaves: readonly Leaf[]): readonly string[] {
  return leaves[0]?.model === 'journey' ? JOURNEY_SERIES : MESSAGE_SERIES;
}

/**
 * Calls `visit(bucket, counts)` for every hour of `leaf` with a non-zero count inside the buckets
 * given by `edges` (bucket i = [edges[i], edges[i+1])). An hour belongs to the bucket holding its
 * first second: buckets of any zone partition time, so a day is exactly the sum of its hours
 * (in zones with :30/:45 offsets the hour straddling a boundary lands wholly on one side).
 */
function eachHour(seed: number, leaf: Leaf, edges: readonly number[], now: number, visit: (bucket: number, counts: Float64Array) => void): void {
  const n = edges.length - 1;
  const first = edges[0];
  const last = edges[n];
  if (first === undefined || last === undefined || n < 1) return;
  const counts = new Float64Array(namesOf([leaf]).length);
  const from = Math.max(Math.ceil(first / HOUR) * HOUR, leaf.from);
  const until = Math.min(last, leaf.until, now);
  let b = 0;
  for (let h = from; h < until; h += HOUR) {
    while (b < n - 1 && (edges[b + 1] ?? Infinity) <= h) b++;
    if (fillHour(seed, leaf, h, now, counts)) visit(b, counts);
  }
}

/**
 * `metric.series` of the sum of `leaves` over the buckets: one array per series any leaf
 * reports, keys in name order, values oldest → newest. No leaves → `{}`.
 */
export function seriesTable(seed: number, leaves: readonly Leaf[], edges: readonly number[], now: number): SeriesMap {
  const names = namesOf(leaves);
  const n = Math.max(0, edges.length - 1);
  const slots = [...new Set(leaves.flatMap((l) => l.series))].sort((a, b) => a - b);
  const acc = new Map(slots.map((s) => [s, new Array<number>(n).fill(0)]));
  for (const leaf of leaves) {
    const slotsOfLeaf = leaf.series;
    const sums = slotsOfLeaf.map((s) => acc.get(s) ?? []);
    eachHour(seed, leaf, edges, now, (b, counts) => {
      for (let i = 0; i < slotsOfLeaf.length; i++) {
        const arr = sums[i] as number[];
        arr[b] = (arr[b] as number) + (counts[slotsOfLeaf[i] as number] as number);
      }
    });
  }
  const out: SeriesMap = {};
  for (const s of slots) out[names[s] ?? `series_${s}`] = acc.get(s) ?? [];
  return out;
}

/**
 * Link metrics of the sum of `leaves`: each leaf's human and machine clicks of an hour are split
 * over its links (linkShare), so per bucket the links' `clicked` add up to the entity's `clicked`
 * and clicked = human_clicked + machine_clicked per link. `unique` keeps each link's share of first
 * clicks, hour by hour. Links come in leaf order, each once (language variants share links).
 */
export function linkTable(seed: number, leaves: readonly Leaf[], edges: readonly number[], now: number, unique: boolean): LinkMetric[] {
  const n = Math.max(0, edges.length - 1);
  const byId = new Map<number, LinkMetric>();
  for (const leaf of leaves) {
    if (leaf.model !== 'message' || leaf.links.length === 0) continue;
    const rows = leaf.links.map((link) => {
      let row = byId.get(link.id);
      if (row === undefined) {
        const zeros = (): number[] => new Array<number>(n).fill(0);
        row = { link: { id: link.id, href: link.href }, metric: { series: { clicked: zeros(), human_clicked: zeros(), machine_clicked: zeros() } } };
        byId.set(link.id, row);
      }
      return row.metric.series;
    });
    eachHour(seed, leaf, edges, now, (b, counts) => {
      const human = counts[M.human_clicked] ?? 0;
      const machine = counts[M.machine_clicked] ?? 0;
      if (human + machine === 0) return;
      leaf.links.forEach((link, i) => {
        const series = rows[i];
        if (series === undefined) return;
        let h = linkShare(human, leaf.links, i);
        let m = linkShare(machine, leaf.links, i);
        if (unique) {
          h = Math.floor(h * link.unique);
          m = Math.floor(m * link.unique);
        }
        series.human_clicked[b] = (series.human_clicked[b] ?? 0) + h;
        series.machine_clicked[b] = (series.machine_clicked[b] ?? 0) + m;
        series.clicked[b] = (series.clicked[b] ?? 0) + h + m;
      });
    });
  }
  return [...byId.values()];
}
