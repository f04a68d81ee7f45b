import { describe, expect, it } from 'vitest';
import { WindowProgress, windowState } from '../../../src/engine/read/window-progress.js';

/** The pure bookkeeping of a windowed read: what is finished, as the state a restart reads. */
describe('WindowProgress', () => {
  const fresh = windowState(undefined, 'created');

  it('a first read: finished windows and the whole part of a window under way become `done`; `created` covers what is finished from the start', () => {
    const progress = new WindowProgress('created', 100, fresh, 50);
    const a = { start: 100, end: 200 };
    const b = { start: 200, end: 300 };
    progress.reached(b, 250); // b read newest first down to 250: [251, 300) is whole
    expect(progress.stateIfNew(false)).toEqual({ created: 100, done: [[251, 300]] });
    progress.finished(a);
    expect(progress.stateIfNew(false)).toEqual({
      created: 200,
      done: [
        [100, 200],
        [251, 300],
      ],
    });
    // Nothing new and no record since: no STATE; records since: the same STATE again.
    expect(progress.stateIfNew(false)).toBeUndefined();
    expect(progress.stateIfNew(true)).toEqual({
      created: 200,
      done: [
        [100, 200],
        [251, 300],
      ],
    });
    progress.finished(b);
    expect(progress.complete(300)).toEqual({ created: 300, done: [[100, 300]], high: 300 });
  });

  it('an incremental read skips what is finished, except the lookback below `high`, and records what of it was read again', () => {
    const previous = windowState({ created: 300, done: [[100, 300]], high: 300 }, 'created');
    const progress = new WindowProgress('created', 100, previous, 50);
    expect(progress.skip).toEqual([[100, 250]]);
    const lookback = { start: 250, end: 300 };
    progress.reached(lookback, 270);
    expect(progress.stateIfNew(false)).toEqual({ created: 300, done: [[100, 300]], high: 300, refreshed: [[271, 300]] });
    progress.finished(lookback);
    expect(progress.complete(400)).toEqual({ created: 400, done: [[100, 400]], high: 400 });
  });

  it("reads an earlier version's plain bookmark as everything before it finished", () => {
    expect(windowState({ created: 500 }, 'created')).toEqual({ done: [[0, 500]], high: 500, refreshed: [], bookmark: 500 });
  });
});
