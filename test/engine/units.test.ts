import { describe, expect, it } from 'vitest';
import { nearestName } from '../../src/near-miss.js';
import { findJsonErrorOffset, lineAndColumn } from '../../src/json-position.js';
import { merge } from '../../src/engine/merge.js';
import { planWindows } from '../../src/engine/read/server-windows.js';
import { parseAirbyteState, parseSingerState, StateStore } from '../../src/engine/state.js';
import { Redactor } from '../../src/redact.js';

describe('windows', () => {
  it('cover [from, to) exactly, without gaps or overlap, none longer than the maximum', () => {
    const plan = planWindows(0, 400 * 86_400, { maxSeconds: 182 * 86_400, pageSize: 1000 });
    const windows = [...plan.windows()];
    expect(windows[0]?.start).toBe(0);
    expect(windows.at(-1)?.end).toBe(400 * 86_400);
    for (let i = 1; i < windows.length; i++) expect(windows[i]?.start).toBe(windows[i - 1]?.end);
    for (const w of windows) expect(w.end - w.start).toBeLessThanOrEqual(182 * 86_400);
  });

  it('size later windows from the density seen, for about 8 pages each', () => {
    const plan = planWindows(0, 10_000_000, { maxSeconds: 15_000_000, pageSize: 1000 });
    const iterator = plan.windows();
    const first = iterator.next().value as { index: number; start: number; end: number };
    // A full first page spanning 1000 seconds: one record per second.
    const records = Array.from({ length: 1000 }, (_, i) => ({ created: first.end - 1 - i }));
    plan.observe(first, records, true, 'created');
    const second = iterator.next().value as { start: number; end: number };
    expect(second.end - second.start).toBeCloseTo(8_000, -2);
    plan.observe({ index: 1, ...second }, [], false, 'created');
    const third = iterator.next().value as { start: number; end: number };
    expect(third.end - third.start).toBe(Math.min(15_000_000, 10_000_000 - third.start));
  });
});

describe('merge', () => {
  it('yields every item of every source, at most `limit` running at once', async () => {
    let running = 0;
    let peak = 0;
    async function* source(n: number): AsyncGenerator<number> {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield n * 10 + i;
      }
      running--;
    }
    const out: number[] = [];
    for await (const item of merge([1, 2, 3, 4, 5].map(source), 2)) out.push(item);
    expect(out.sort((a, b) => a - b)).toEqual([10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52]);
    expect(peak).toBe(2);
  });

  it('keeps each source in order', async () => {
    async function* source(n: number): AsyncGenerator<string> {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        yield `${n}:${i}`;
      }
    }
    const out: string[] = [];
    for await (const item of merge([0, 1, 2].map(source), 3)) out.push(item);
    for (const n of [0, 1, 2]) expect(out.filter((x) => x.startsWith(`${n}:`))).toEqual([0, 1, 2, 3, 4].map((i) => `${n}:${i}`));
  });
});

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

describe('small helpers', () => {
  it('suggests the key a typo meant', () => {
    const known = ['app_api_key', 'region', 'start_date', 'base_url', 'requests_per_second', 'messages_lookback_days'];
    expect(nearestName('api_key', known)).toBe('app_api_key');
    expect(nearestName('startdate', known)).toBe('start_date');
    expect(nearestName('regoin', known)).toBe('region');
    expect(nearestName('colour', known)).toBeUndefined();
  });

  it('finds the line and column of a JSON syntax error', () => {
    const text = '{\n  "a": 1,\n  "b": nope\n}';
    const { line, column } = lineAndColumn(text, findJsonErrorOffset(text));
    expect([line, column]).toEqual([3, 9]);
    expect(findJsonErrorOffset('{"a": [1, 2]}')).toBe(-1);
    expect(lineAndColumn('{"a": ', findJsonErrorOffset('{"a": '))).toEqual({ line: 1, column: 7 });
  });

  it('redacts a secret in every form it could be printed in', () => {
    const redactor = new Redactor(['k3y/with+odd"chars']);
    const text = redactor.text(`a k3y/with+odd"chars b ${encodeURIComponent('k3y/with+odd"chars')} c ${JSON.stringify('k3y/with+odd"chars')}`);
    expect(text).not.toContain('k3y');
  });
});
