import { describe, expect, it } from 'vitest';
import { readerFor } from '../../src/engine/read-stream.js';
import { loadStreamState, parseAirbyteState, parseSingerState, StateStore } from '../../src/engine/state.js';
import { streamByName } from '../../src/streams/index.js';

/** A saved state loaded the way a read loads it: through the reader of that stream and mode. */
function load(name: string, value: unknown, warn: (w: string) => void): unknown {
  const def = streamByName(name);
  if (!def) throw new Error(name);
  return loadStreamState(readerFor(def, 'incremental'), def, value, { file: 'state.json', warn });
}

describe('state input', () => {
  it('reads Airbyte per-stream states, whole STATE lines too, null = reset', () => {
    const state = parseAirbyteState(
      [
        { type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: 5 } } },
        { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'segments' }, stream_state: { updated_at: 7 } } } },
        { type: 'STREAM', stream: { stream_descriptor: { name: 'messages' }, stream_state: null } },
      ],
      's.json',
    );
    expect(state).toEqual({ campaigns: { updated: 5 }, segments: { updated_at: 7 } });
  });

  it('rejects wrong shapes with the file and the fix', () => {
    expect(() => parseAirbyteState({ campaigns: 1 }, 's.json')).toThrow(/s\.json must be a JSON array/);
    expect(() => parseAirbyteState([{ type: 'GLOBAL', global: {} }], 's.json')).toThrow(/GLOBAL/);
    expect(() => parseAirbyteState([{ type: 'STREAM', stream: {} }], 's.json')).toThrow(/item 0 has no stream\.stream_descriptor\.name/);
    expect(() => parseSingerState([], 's.json')).toThrow(/must be a JSON object/);
    expect(() => parseSingerState({ bookmarks: { campaigns: 3 } }, 's.json')).toThrow(/bookmarks\.campaigns must be an object/);
    expect(() => parseSingerState({ campaigns: {} }, 's.json')).toThrow(/no "bookmarks"/);
  });

  it('keeps the state of streams not synced', () => {
    const store = new StateStore(parseSingerState({ bookmarks: { other: { x: 1 } } }, 's'));
    store.set('campaigns', { updated: 2 });
    expect(store.snapshot()).toEqual({ other: { x: 1 }, campaigns: { updated: 2 } });
  });
});

describe('state from older versions and other connectors', () => {
  it('a legacy {stream: state} object and a LEGACY message are migrated, with a warning', () => {
    const warnings: string[] = [];
    expect(parseAirbyteState({ campaigns: { updated: 5 } }, 's.json', (w) => warnings.push(w))).toEqual({ campaigns: { updated: 5 } });
    expect(parseAirbyteState([{ type: 'LEGACY', data: { segments: { updated_at: 7 } } }], 's.json', (w) => warnings.push(w))).toEqual({
      segments: { updated_at: 7 },
    });
    expect(
      parseAirbyteState(
        [{ type: 'GLOBAL', global: { stream_states: [{ stream_descriptor: { name: 'messages' }, stream_state: { created: 9 } }] } }],
        's.json',
        (w) => warnings.push(w),
      ),
    ).toEqual({ messages: { created: 9 } });
    expect(warnings).toHaveLength(3);
  });

  it('per-partition states of the low-code connector become partition bookmarks', () => {
    const warnings: string[] = [];
    const migrated = load(
      'campaigns_actions',
      {
        states: [
          { partition: { id: 12, parent_slice: {} }, cursor: { updated: 100 } },
          { partition: { id: 13 }, cursor: { updated: 200 } },
        ],
      },
      (w) => warnings.push(w),
    );
    expect(migrated).toEqual({ partitions: { '12': { updated: 100 }, '13': { updated: 200 } } });
    expect(warnings[0]).toMatch(/2 partition bookmarks were migrated/);
  });

  it("a state without this stream's cursor is dropped with a warning, never silently", () => {
    const warnings: string[] = [];
    expect(load('messages', { created_at: 5 }, (w) => warnings.push(w))).toBeUndefined();
    expect(warnings[0]).toMatch(/has no "created" bookmark/);
    expect(load('messages', { created: 5 }, (w) => warnings.push(w))).toEqual({ created: 5 });
  });
});
