import { afterAll, beforeAll, describe, it } from 'vitest';
import { keyFields } from '../../src/engine/stream.js';
import { streamDef } from './catalog.js';
import { recordsOf, runCli } from './cli.js';
import {
  campaignDeletes,
  keyText,
  readArgs,
  stateInput,
  stopAndRestart,
  stopWorld,
  type Protocol,
  type Scenario,
  type StopWorld,
  type Trigger,
} from './stop-scenarios.js';

/**
 * SIGTERM and SIGINT at many points of real reads (issue: a clean stop on every signal): after the
 * first STATE, in the middle of a page, while parallel windows split, during a metrics read, during
 * an export job and its download, during a child read with tombstones, during change-feed reads of
 * objects and their relationships after a change batch; 24 runs per protocol, at
 * delays drawn from a fixed seed so a failure can be replayed. Each run must stop cleanly and its
 * restart from the last STATE must complete the read with nothing lost.
 */
type Row = Record<string, any>;

const keyOf = (stream: string, record: Row): string => keyText(keyFields(streamDef(stream)).map((f) => record[f]));

/** A small deterministic generator (mulberry32), so the random stop points are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The whole stop suite in one protocol: one test file each, so the two run side by side. */
export function stopSuite(protocol: Protocol): void {
  let world: StopWorld;
  let tombstoneWorld: StopWorld;
  let changeWorld: StopWorld;
  const reference = new Map<string, Set<string>>();
  const beforeDeletes = new Map<Protocol, unknown>();
  const beforeChanges = new Map<Protocol, unknown>();
  const changeStreams = { objects: 'incremental', object_relationships: 'incremental' } as const;

  /** The keys an uninterrupted read of `streams` delivers, per stream (for streams the simulator's truth cannot list directly). */
  async function referenceKeys(w: StopWorld, streams: Record<string, 'incremental' | 'full_refresh'>, state: unknown): Promise<Map<string, Set<string>>> {
    const result = await runCli(readArgs('airbyte', w.configFor(), await w.catalogFor('airbyte', streams), state), { timeoutMs: 180_000 });
    if (result.code !== 0) throw new Error(`reference read failed: ${result.stderr.slice(-500)}`);
    return new Map(Object.keys(streams).map((s) => [s, new Set(recordsOf(result.messages, s).map((r) => keyOf(s, r)))]));
  }

  beforeAll(async () => {
    world = await stopWorld({ seed: 7 });
    for (const [stream, keys] of await referenceKeys(world, { campaign_action_metrics: 'incremental' }, undefined)) reference.set(stream, keys);
    tombstoneWorld = await stopWorld({ seed: 8 });
    const streams = { campaigns_actions: 'incremental', broadcast_actions: 'incremental' } as const;
    // The reference read below is an Airbyte one: it needs the Airbyte state whatever the suite's protocol.
    for (const each of new Set<Protocol>(['airbyte', protocol])) {
      const first = await runCli(readArgs(each, tombstoneWorld.configFor(), await tombstoneWorld.catalogFor(each, streams), undefined));
      beforeDeletes.set(each, stateInput(first, each));
    }
    tombstoneWorld.ws.sim.deleteEntities(campaignDeletes(tombstoneWorld.ws));
    // What the next sync owes after the deletes: the records changed since, and a tombstone per key gone.
    for (const [stream, keys] of await referenceKeys(tombstoneWorld, streams, beforeDeletes.get('airbyte'))) reference.set(`tombstones/${stream}`, keys);

    // Objects and their relationships read from the feed after a change batch: the state of a first sync, then the changes.
    changeWorld = await stopWorld({ seed: 9 });
    const fast = changeWorld.configFor({ requests_per_second: 100 });
    for (const each of new Set<Protocol>(['airbyte', protocol])) {
      const first = await runCli(readArgs(each, fast, await changeWorld.catalogFor(each, changeStreams), undefined), { timeoutMs: 180_000 });
      beforeChanges.set(each, stateInput(first, each));
    }
    changeWorld.ws.sim.advance(60);
    changeWorld.ws.sim.changeObjects({ counts: { attribute_change: 300, create: 10, delete: 5, add_relationship: 40, delete_relationship: 20 }, seed: 5 });
    const changed = await runCli(readArgs('airbyte', fast, await changeWorld.catalogFor('airbyte', changeStreams), beforeChanges.get('airbyte')), {
      timeoutMs: 180_000,
    });
    if (changed.code !== 0) throw new Error(`reference read failed: ${changed.stderr.slice(-500)}`);
    for (const stream of Object.keys(changeStreams))
      reference.set(`changes/${stream}`, new Set(recordsOf(changed.messages, stream).map((r) => keyOf(stream, r))));
  }, 600_000);

  afterAll(async () => {
    await world?.close();
    await tombstoneWorld?.close();
    await changeWorld?.close();
  });

  const scenarios = (): Array<{ scenario: Scenario; world: () => StopWorld; triggers: (next: () => number) => Trigger[] }> => [
    {
      // Six windows at once; the first STATE comes while the others are mid-page, and later ones split.
      scenario: {
        name: 'parallel windows',
        streams: { messages: 'incremental' },
        expected: () => ({ messages: new Set(world.ws.sim.truth.messageIds(world.startDate, world.ws.sim.now())) }),
        keyOf,
      },
      world: () => world,
      triggers: (next) => [
        { after: 'first-state', delayMs: 0 },
        { after: 'first-state', delayMs: Math.floor(next() * 400) },
        { after: 'records', count: 1 + Math.floor(next() * 8000) },
        { after: 'records', count: 1 + Math.floor(next() * 12000) },
      ],
    },
    {
      // A search page's ids hydrated in parallel batches beside windowed messages: a stop lands mid-page.
      scenario: {
        name: 'search and hydrate beside windows',
        streams: { messages: 'incremental', people: 'full_refresh' },
        expected: () => ({
          messages: new Set(world.ws.sim.truth.messageIds(world.startDate, world.ws.sim.now())),
          people: new Set(world.ws.sim.truth.peopleCioIds()),
        }),
        keyOf,
      },
      world: () => world,
      triggers: (next) => [
        { after: 'first-record-of', stream: 'people', delayMs: Math.floor(next() * 300) },
        { after: 'records', count: 1 + Math.floor(next() * 3000) },
        { after: 'start', delayMs: 300 + Math.floor(next() * 1500) },
        { after: 'records', count: 5000 + Math.floor(next() * 5000) },
      ],
    },
    {
      scenario: {
        name: 'metrics',
        streams: { campaign_action_metrics: 'incremental' },
        // Thousands of entity requests: a faster budget keeps the restart short; the stop points are by output.
        config: { requests_per_second: 100 },
        expected: () => ({ campaign_action_metrics: reference.get('campaign_action_metrics') ?? new Set() }),
        keyOf,
      },
      world: () => world,
      triggers: (next) => [
        { after: 'first-record-of', stream: 'campaign_action_metrics', delayMs: Math.floor(next() * 300) },
        { after: 'first-state', delayMs: Math.floor(next() * 200) },
        { after: 'records', count: 1 + Math.floor(next() * 4000) },
        { after: 'start', delayMs: 400 + Math.floor(next() * 1200) },
      ],
    },
    {
      // The job is polled, the file read once to check it and once to emit: a stop lands in any of them.
      scenario: {
        name: 'people export',
        streams: { people: 'full_refresh' },
        config: { people_source: 'export' },
        expected: () => ({ people: new Set(world.ws.sim.truth.peopleCioIds()) }),
        keyOf,
      },
      world: () => world,
      triggers: (next) => [
        { after: 'start', delayMs: Math.floor(next() * 300) },
        { after: 'start', delayMs: 300 + Math.floor(next() * 1500) },
        { after: 'first-record-of', stream: 'people', delayMs: 0 },
        // Emitting the checked file takes milliseconds: a record count would often come too late.
        { after: 'start', delayMs: 800 + Math.floor(next() * 1500) },
      ],
    },
    {
      scenario: {
        name: 'child reads with tombstones',
        streams: { campaigns_actions: 'incremental', broadcast_actions: 'incremental' },
        startState: (p) => beforeDeletes.get(p),
        expected: () => ({
          campaigns_actions: reference.get('tombstones/campaigns_actions') ?? new Set(),
          broadcast_actions: reference.get('tombstones/broadcast_actions') ?? new Set(),
        }),
        keyOf,
      },
      world: () => tombstoneWorld,
      triggers: (next) => [
        { after: 'start', delayMs: Math.floor(next() * 400) },
        { after: 'first-record-of', stream: 'campaigns_actions', delayMs: Math.floor(next() * 100) },
        { after: 'records', count: 1 + Math.floor(next() * 40) },
        { after: 'start', delayMs: 200 + Math.floor(next() * 600) },
      ],
    },
    {
      // Objects, then each changed object's relationships, read per object type from the feed: walks, then one request per object.
      scenario: {
        name: 'objects and relationships from the feed',
        streams: changeStreams,
        config: { requests_per_second: 100 },
        startState: (p) => beforeChanges.get(p),
        expected: () => ({
          objects: reference.get('changes/objects') ?? new Set(),
          object_relationships: reference.get('changes/object_relationships') ?? new Set(),
        }),
        keyOf,
      },
      world: () => changeWorld,
      triggers: (next) => [
        { after: 'start', delayMs: Math.floor(next() * 300) },
        { after: 'first-record-of', stream: 'objects', delayMs: Math.floor(next() * 200) },
        { after: 'records', count: 1 + Math.floor(next() * 250) },
        { after: 'first-record-of', stream: 'object_relationships', delayMs: Math.floor(next() * 200) },
      ],
    },
  ];

  describe(`${protocol}: a signal at any point stops cleanly and the restart loses nothing`, () => {
    const next = random(protocol === 'airbyte' ? 19 : 91);
    const runs = scenarios().flatMap(({ scenario, world: w, triggers }) =>
      triggers(next).map((trigger, i) => ({ scenario, w, trigger, signal: i % 2 === 0 ? 'SIGTERM' : 'SIGINT' }) as const),
    );
    it.each(runs.map((run, i) => [`${i + 1}. ${run.scenario.name}, ${run.signal} at ${JSON.stringify(run.trigger)}`, run] as const))(
      '%s',
      { timeout: 300_000 },
      async (_, run) => {
        await stopAndRestart(run.w(), run.scenario, protocol, run.signal, run.trigger);
      },
    );
  });
}
