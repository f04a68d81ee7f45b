import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { recordsOf, runCli, writeFiles, type CliResult } from '../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../helpers/simulator.js';

/**
 * A `messages` read SIGKILLed part-way and restarted from its last STATE, black-box: the built
 * CLI against the simulator over HTTP, in both protocols. The read covers 540 days of a medium
 * workspace (about 45,000 deliveries, 1,000 a page, six windows at once), so a kill lands with
 * windows finished, others part-way and others not begun.
 *
 * What must hold (the state: `done`, merged finished [start, end) intervals; `high`, where the last
 * complete read ended):
 * - nothing is lost: the records committed before the kill (those before the last STATE) and
 *   the restart's records are exactly the deliveries that exist;
 * - after a kill during a first read (no `high`), nothing finished is read again, whatever the
 *   lookback: no record of the restart lies in the checkpoint's `done`;
 * - after a kill during an incremental read, the restart reads again at most the lookback region
 *   and what the windows in flight had not checkpointed;
 * - a STATE comes at least every `state_every_records` records (plus a page), so a destination
 *   commits as it goes, in the lookback region too.
 * The whole file takes about 25 s on two cores.
 */
type Row = Record<string, any>;
type Protocol = 'airbyte' | 'singer';

const DAY = 86_400;
const PAGE = 1000; // the messages page size (limit=1000)
const WINDOWS = 6; // windows read at once (DEFAULT_CONCURRENCY.windows)
const STATE_EVERY = 2000;
const HISTORY_DAYS = 540; // the simulator keeps 18 months of deliveries behind its clock
const iso = (t: number): string => new Date(t * 1000).toISOString();

interface Setup {
  ws: TestWorkspace;
  startDate: number;
  configFor(extra?: Row): string;
  catalogs: Record<Protocol, string>;
}

async function setup(seed: number): Promise<Setup> {
  const ws = await testWorkspace({ scale: 'medium', seed, latencyMs: 15, rateLimit: 0 });
  const startDate = ws.sim.now() - HISTORY_DAYS * DAY;
  const configFor = (extra: Row = {}): string =>
    writeFiles({ 'config.json': { ...ws.config, start_date: iso(startDate), requests_per_second: 50, state_every_records: STATE_EVERY, ...extra } })[
      'config.json'
    ] as string;
  const config = configFor();
  // Singer: the tap's own --discover, with messages selected INCREMENTAL and nothing else.
  const discovered = JSON.parse((await runCli(['--config', config, '--discover'])).stdout) as Row;
  const singerCatalog = {
    streams: (discovered['streams'] as Row[]).map((stream) => ({
      ...stream,
      metadata: (stream['metadata'] as Row[]).map((entry) =>
        entry['breadcrumb'].length > 0
          ? entry
          : {
              ...entry,
              metadata: {
                ...entry['metadata'],
                selected: stream['tap_stream_id'] === 'messages',
                'replication-method': 'INCREMENTAL',
                'replication-key': 'created',
              },
            },
      ),
    })),
  };
  const files = writeFiles({ 'airbyte.json': await configuredCatalog(config, { messages: 'incremental' }), 'singer.json': singerCatalog });
  return { ws, startDate, configFor, catalogs: { airbyte: files['airbyte.json'] as string, singer: files['singer.json'] as string } };
}

interface Read {
  result: CliResult;
  records: Row[];
  /** Records before the last STATE: what a destination has committed when the tap dies. */
  committed: Row[];
  /** The last STATE: the messages stream state, and what the next run is given as --state. */
  streamState: Row | undefined;
  stateInput: unknown;
}

/** One read of `messages`; SIGKILLed once `killAfter` messages records have come out, if given. */
async function read(s: Setup, protocol: Protocol, config: string, state: unknown, killAfter?: number): Promise<Read> {
  const args = protocol === 'airbyte' ? ['read', '--config', config, '--catalog', s.catalogs.airbyte] : ['--config', config, '--catalog', s.catalogs.singer];
  if (state !== undefined) args.push('--state', writeFiles({ 'state.json': state })['state.json'] as string);
  let seen = 0;
  let killed = false;
  const result = await runCli(args, {
    onMessage: (message, child) => {
      if (killAfter === undefined || killed || message['type'] !== 'RECORD') return;
      if (++seen >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    },
  });
  const lastState = result.messages.findLastIndex((m) => m['type'] === 'STATE');
  const last = result.messages[lastState];
  const streamState = protocol === 'airbyte' ? last?.['state']?.['stream']?.['stream_state'] : last?.['value']?.['bookmarks']?.['messages'];
  return {
    result,
    records: recordsOf(result.messages, 'messages'),
    committed: recordsOf(result.messages.slice(0, Math.max(0, lastState)), 'messages'),
    streamState,
    stateInput: last === undefined ? undefined : protocol === 'airbyte' ? [last['state']] : last['value'],
  };
}

type Interval = [number, number];
const inside = (intervals: readonly Interval[], t: number): boolean => intervals.some(([a, b]) => a <= t && t < b);
const ids = (records: readonly Row[]): string[] => records.map((r) => String(r['id']));

/** Ids seen more than once, if any (a window read twice in one run). */
function duplicates(records: readonly Row[]): string[] {
  const seen = new Set<string>();
  return ids(records).filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

/** The ids expected but missing, and those got but not expected (at most 5 of each, for the message). */
function difference(got: Iterable<string>, expected: readonly string[]): { missing: string[]; extra: string[]; missingCount: number; extraCount: number } {
  const gotSet = new Set(got);
  const expectedSet = new Set(expected);
  const missing = expected.filter((id) => !gotSet.has(id));
  const extra = [...gotSet].filter((id) => !expectedSet.has(id));
  return { missing: missing.slice(0, 5), extra: extra.slice(0, 5), missingCount: missing.length, extraCount: extra.length };
}

/**
 * The most `messages` records that came out between two STATE lines (or after the last one).
 * The reader checks after every page whether `state_every_records` have come out since its last
 * STATE, so no run between two is longer than that plus one page.
 */
function longestRunWithoutState(messages: readonly Row[]): number {
  let longest = 0;
  let run = 0;
  for (const m of messages) {
    if (m['type'] === 'STATE') run = 0;
    else if (m['type'] === 'RECORD') longest = Math.max(longest, ++run);
  }
  return longest;
}

const setups = new Map<number, Setup>();
beforeAll(async () => {
  for (const seed of [1, 2]) setups.set(seed, await setup(seed));
}, 60_000);
afterAll(async () => {
  for (const s of setups.values()) await s.ws.close();
});

describe('messages: a first read killed part-way resumes from the gaps of its last STATE', () => {
  // Three kill points for one seed in Airbyte and for the other seed in Singer, and the middle
  // one for the second seed in Airbyte. Singer runs with a lookback of 0, Airbyte with the default
  // 30 days: without `high` the lookback must not matter. (About 2 s each.)
  const cases: Array<{ protocol: Protocol; seed: number; fraction: number; lookbackDays?: number }> = [
    { protocol: 'airbyte', seed: 1, fraction: 0.1 },
    { protocol: 'airbyte', seed: 1, fraction: 0.5 },
    { protocol: 'airbyte', seed: 1, fraction: 0.9 },
    { protocol: 'airbyte', seed: 2, fraction: 0.5 },
    { protocol: 'singer', seed: 2, fraction: 0.1, lookbackDays: 0 },
    { protocol: 'singer', seed: 2, fraction: 0.5, lookbackDays: 0 },
    { protocol: 'singer', seed: 2, fraction: 0.9, lookbackDays: 0 },
  ];
  for (const { protocol, seed, fraction, lookbackDays } of cases) {
    it(`${protocol}, seed ${seed}, killed after ${fraction * 100}% of the records${lookbackDays === undefined ? '' : `, lookback ${lookbackDays} days`}: nothing lost, nothing finished read again`, async () => {
      const s = setups.get(seed) as Setup;
      const config = s.configFor(lookbackDays === undefined ? {} : { messages_lookback_days: lookbackDays });
      const expected = s.ws.sim.truth.messageIds(s.startDate, s.ws.sim.now());
      expect(expected.length).toBeGreaterThan(40_000);

      const killed = await read(s, protocol, config, undefined, Math.round(fraction * expected.length));
      expect(killed.result.signal, killed.result.stderr.slice(-500)).toBe('SIGKILL');
      const state = killed.streamState as Row;
      expect(state, 'a STATE before the kill').toBeDefined();
      // A first read: no complete read yet, so no `high` and no lookback to read again.
      expect(state['high']).toBeUndefined();
      const done = state['done'] as Interval[];
      expect(done.length).toBeGreaterThan(0);
      const committedInDone = killed.committed.filter((r) => inside(done, r['created'])).length;
      expect(committedInDone).toBeGreaterThan(0);

      const resumed = await read(s, protocol, config, killed.stateInput);
      expect(resumed.result.code, resumed.result.stderr.slice(-1000)).toBe(0);

      // (a) Nothing lost, nothing invented: committed before the kill + the restart = the truth.
      const gap = difference([...ids(killed.committed), ...ids(resumed.records)], expected);
      expect(gap, `done at the kill: ${JSON.stringify(done)}`).toMatchObject({ missingCount: 0, extraCount: 0 });
      expect(difference(ids(killed.records), expected).extraCount).toBe(0);
      expect(duplicates(resumed.records)).toEqual([]);
      // Checkpoints as often as configured, before and after the kill.
      expect(longestRunWithoutState(killed.result.messages)).toBeLessThanOrEqual(STATE_EVERY + PAGE);
      expect(longestRunWithoutState(resumed.result.messages)).toBeLessThanOrEqual(STATE_EVERY + PAGE);

      // (b) Nothing the checkpoint called finished is read again.
      const reread = resumed.records.filter((r) => inside(done, r['created']));
      expect(
        reread.slice(0, 5).map((r) => `${r['id']}@${r['created']}`),
        `${reread.length} records of the restart lie in done ${JSON.stringify(done)}`,
      ).toEqual([]);
      // ...and the restart reads what the kill left: the records outside done, no more.
      expect(resumed.records.length).toBe(expected.length - committedInDone);
      // The restart completes: the whole range is done, and `high` is set for the next read.
      expect(resumed.streamState?.['high']).toEqual(expect.any(Number));
      expect((resumed.streamState?.['done'] as Interval[])[0]?.[0]).toBeLessThanOrEqual(s.startDate);
    }, 60_000);
  }
});

describe('messages: an incremental read after a complete one', () => {
  it('airbyte, seed 2, lookback 180 days: a read of the lookback alone still emits a STATE at least every state_every_records records', async () => {
    const s = setups.get(2) as Setup;
    // The longest lookback allowed, right after a complete read: the whole incremental read lies
    // inside the lookback, which `done` already covers (about 15,000 records).
    const config = s.configFor({ messages_lookback_days: 180 });
    const first = await read(s, 'airbyte', config, undefined);
    expect(first.result.code, first.result.stderr.slice(-1000)).toBe(0);
    const incremental = await read(s, 'airbyte', config, first.stateInput);
    expect(incremental.result.code, incremental.result.stderr.slice(-1000)).toBe(0);
    expect(incremental.records.length).toBeGreaterThan(10_000);
    // A destination commits what came before a STATE: without one for many records, a kill
    // costs the commit of all of them, whatever the reader would have remembered.
    const states = incremental.result.messages.filter((m) => m['type'] === 'STATE').length;
    expect(longestRunWithoutState(incremental.result.messages), `${states} STATE lines for ${incremental.records.length} records`).toBeLessThanOrEqual(
      STATE_EVERY + PAGE,
    );
  }, 60_000);
});

describe('messages: an incremental read killed part-way, after a complete one', () => {
  const cases: Array<{ protocol: Protocol; seed: number }> = [
    { protocol: 'airbyte', seed: 1 },
    { protocol: 'singer', seed: 2 },
  ];
  for (const { protocol, seed } of cases) {
    it(`${protocol}, seed ${seed}, killed after 50%: the restart reads again at most the lookback region and the windows in flight`, async () => {
      const s = setups.get(seed) as Setup;
      const now = s.ws.sim.now();
      const lookback = 30 * DAY; // the default messages_lookback_days
      // A complete first read of the oldest 140 days (a backfill bounded by end_date), so the next,
      // incremental read has 400 days to read beyond its lookback: enough to be killed part-way.
      const endDate = now - 400 * DAY;
      const first = await read(s, protocol, s.configFor({ end_date: iso(endDate) }), undefined);
      expect(first.result.code, first.result.stderr.slice(-1000)).toBe(0);
      const high = first.streamState?.['high'] as number;
      expect(high).toBe(endDate);
      expect(difference(ids(first.records), s.ws.sim.truth.messageIds(s.startDate, endDate - 1))).toMatchObject({ missingCount: 0, extraCount: 0 });

      // The incremental read: [high − lookback, now), killed half-way through its records.
      const config = s.configFor();
      const incremental = s.ws.sim.truth.messageIds(high - lookback, now);
      const killed = await read(s, protocol, config, first.stateInput, Math.round(incremental.length / 2));
      expect(killed.result.signal).toBe('SIGKILL');
      const state = killed.streamState as Row;
      expect(state['high']).toBe(high);
      const done = state['done'] as Interval[];

      const resumed = await read(s, protocol, config, killed.stateInput);
      expect(resumed.result.code, resumed.result.stderr.slice(-1000)).toBe(0);

      // (a) Nothing lost over the three runs.
      const all = [...ids(first.records), ...ids(killed.committed), ...ids(resumed.records)];
      expect(difference(all, s.ws.sim.truth.messageIds(s.startDate, now)), `done at the kill: ${JSON.stringify(done)}`).toMatchObject({
        missingCount: 0,
        extraCount: 0,
      });
      expect(duplicates(resumed.records)).toEqual([]);

      // Nothing finished below the lookback region is read again.
      const belowLookback = resumed.records.filter((r) => r['created'] < high - lookback && inside(done, r['created']));
      expect(
        belowLookback.slice(0, 5).map((r) => `${r['id']}@${r['created']}`),
        `${belowLookback.length} records below the lookback`,
      ).toEqual([]);

      // (b) What the restart reads again of what the killed read had committed. Allowed:
      //  - the lookback region [high − lookback, high): read again by design (late delivery metrics);
      //  - the windows in flight at the kill: a part-way window has checkpointed [oldest seen + 1, end),
      //    so only its records at its oldest second are committed and not in `done`. A page per
      //    window (WINDOWS × PAGE) is a generous allowance for that, and for a window whose
      //    progress lagged a page behind what it emitted.
      // Not allowed: the windows above `high` that the killed read had finished. They were read
      // minutes ago; their metrics are as fresh as the lookback's will be after this read.
      const committedIds = new Set(ids(killed.committed));
      const again = resumed.records.filter((r) => committedIds.has(String(r['id'])));
      const lookbackRecords = s.ws.sim.truth.messageIds(high - lookback, high - 1).length;
      const bound = lookbackRecords + WINDOWS * PAGE;
      const finishedAboveHigh = again.filter((r) => r['created'] >= high && inside(done, r['created']));
      const spans = (intervals: Interval[]): string => JSON.stringify(intervals.map(([a, b]) => [iso(a), iso(b)]));
      expect(
        again.length,
        `the restart read again ${again.length} of the ${killed.committed.length} records committed before the kill ` +
          `(bound ${bound}: ${lookbackRecords} in the lookback + ${WINDOWS * PAGE}); ${finishedAboveHigh.length} of them lie above high ` +
          `(${iso(high)}) in intervals the killed read had finished: done ${spans(done)}`,
      ).toBeLessThanOrEqual(bound);

      // What of the lookback the killed read had already read again (`refreshed`) is not read a third time.
      const refreshed = (state['refreshed'] ?? []) as Interval[];
      // Windows go oldest first, so half-way through, part of the lookback is read again already.
      expect(refreshed.length).toBeGreaterThan(0);
      const thirdTime = resumed.records.filter((r) => inside(refreshed, r['created']));
      expect(
        thirdTime.slice(0, 5).map((r) => `${r['id']}@${r['created']}`),
        `refreshed ${spans(refreshed)}`,
      ).toEqual([]);
    }, 90_000);
  }
});
