import { describe, expect, it } from 'vitest';
import {
  advance,
  isCandidate,
  isDone,
  listSince,
  markDone,
  markOffset,
  newestDone,
  resumeRecord,
  startFloor,
  type TrackedObject,
} from '../../src/checkpoint/progress.js';
import { type CheckpointState, emptyState } from '../../src/checkpoint/state.js';

const MINUTE = 60_000;
const LOOKBACK = 10 * MINUTE;
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

function obj(key: string, lastModified: number, etag = `"${key}-v1"`): TrackedObject {
  return { key, etag, lastModified: new Date(lastModified) };
}

/** One poll as a runner does it: list the window, read every candidate, mark done, then advance. */
function poll(state: CheckpointState, bucket: TrackedObject[]): TrackedObject[] {
  const since = listSince(state, LOOKBACK);
  const listed = bucket.filter((o) => since === null || (o.lastModified as Date).getTime() >= since.getTime());
  const read = listed.filter((o) => isCandidate(state, o, LOOKBACK));
  for (const o of read) markDone(state, o);
  advance(state, LOOKBACK);
  return read;
}

describe('isDone', () => {
  it.each([
    ['is true when the same key and ETag are done', '"a-v1"', true],
    ['is false when the object was rewritten with a new ETag', '"a-v2"', false],
  ])('%s', (_name, etag, expected) => {
    const state = markDone(emptyState(), obj('a', T0));
    expect(isDone(state, { key: 'a', etag })).toBe(expected);
  });

  it('is false when the key was never seen', () => {
    expect(isDone(emptyState(), { key: 'a', etag: '"x"' })).toBe(false);
  });
});

describe('resumeRecord', () => {
  it.each([
    ['returns 0 when nothing is in progress', [], 'a', '"a-v1"', 0],
    ['returns the acknowledged record when the ETag matches', [['a', '"a-v1"', 500]], 'a', '"a-v1"', 500],
    ['returns 0 when the object in progress was rewritten', [['a', '"a-v1"', 500]], 'a', '"a-v2"', 0],
    ['returns 0 for another key', [['a', '"a-v1"', 500]], 'b', '"b-v1"', 0],
  ] as const)('%s', (_name, offsets, key, etag, expected) => {
    const state = emptyState();
    for (const [k, e, record] of offsets) markOffset(state, obj(k, T0, e), record);
    expect(resumeRecord(state, { key, etag })).toBe(expected);
  });
});

describe('markOffset', () => {
  it('only moves forward when called with an older offset for the same version', () => {
    const state = emptyState();
    markOffset(state, obj('a', T0), 300);
    markOffset(state, obj('a', T0), 200);
    expect(resumeRecord(state, obj('a', T0))).toBe(300);
  });

  it('replaces the offset when the object was rewritten', () => {
    const state = emptyState();
    markOffset(state, obj('a', T0), 300);
    markOffset(state, obj('a', T0 + MINUTE, '"a-v2"'), 10);
    expect(state.in_progress.a).toEqual({ etag: '"a-v2"', last_modified: T0 + MINUTE, record: 10 });
  });

  it('leaves the state alone when the version is already done', () => {
    const state = markDone(emptyState(), obj('a', T0));
    markOffset(state, obj('a', T0), 5);
    expect(state.in_progress).toEqual({});
  });

  it('accepts LastModified as epoch milliseconds when given a number', () => {
    const state = markOffset(emptyState(), { key: 'a', etag: '"e"', lastModified: T0 }, 1);
    expect(state.in_progress.a?.last_modified).toBe(T0);
  });
});

describe('markDone', () => {
  it('removes the offset and records the object when it finishes', () => {
    const state = emptyState();
    markOffset(state, obj('a', T0), 300);
    markDone(state, obj('a', T0));
    expect(state.in_progress).toEqual({});
    expect(state.done.a).toEqual({ etag: '"a-v1"', last_modified: T0 });
  });

  it('records the reason when the object was quarantined', () => {
    const state = markDone(emptyState(), obj('a', T0), 'ERR_DECOMPRESS: unexpected end of file');
    expect(state.done.a?.failed).toBe('ERR_DECOMPRESS: unexpected end of file');
    expect(isDone(state, obj('a', T0))).toBe(true);
  });
});

describe('advance', () => {
  it('keeps the watermark null when nothing is done', () => {
    expect(advance(emptyState(), LOOKBACK).watermark).toBeNull();
  });

  it('moves the watermark to the newest done LastModified when objects finish', () => {
    const state = emptyState();
    markDone(state, obj('b', T0 + 5 * MINUTE));
    markDone(state, obj('a', T0));
    expect(advance(state, LOOKBACK).watermark).toBe(T0 + 5 * MINUTE);
  });

  it('never moves the watermark backwards when only older objects are left', () => {
    const state = emptyState();
    state.watermark = T0 + 20 * MINUTE;
    markDone(state, obj('a', T0 + 15 * MINUTE));
    expect(advance(state, LOOKBACK).watermark).toBe(T0 + 20 * MINUTE);
  });

  it('stops at the ceiling when the caller still holds older unfinished objects', () => {
    const state = emptyState();
    markDone(state, obj('new', T0 + 60 * MINUTE));
    advance(state, LOOKBACK, T0);
    expect(state.watermark).toBe(T0);
    // The unfinished object at T0 stays inside the window.
    expect(isCandidate(state, obj('queued', T0), LOOKBACK)).toBe(true);
  });

  it('does not move the watermark when the ceiling is minus infinity', () => {
    const state = markDone(emptyState(), obj('a', T0));
    expect(advance(state, LOOKBACK, Number.NEGATIVE_INFINITY).watermark).toBeNull();
  });

  it('prunes done entries older than the window and keeps the ones inside it', () => {
    const state = emptyState();
    markDone(state, obj('old', T0));
    markDone(state, obj('edge', T0 + 10 * MINUTE));
    markDone(state, obj('new', T0 + 20 * MINUTE));
    advance(state, LOOKBACK);
    expect(Object.keys(state.done).sort()).toEqual(['edge', 'new']);
  });

  it('keeps in-progress entries however old when pruning', () => {
    const state = emptyState();
    markOffset(state, obj('big', T0), 1000);
    markDone(state, obj('new', T0 + 60 * MINUTE));
    advance(state, LOOKBACK);
    expect(state.in_progress.big?.record).toBe(1000);
  });
});

describe('newestDone', () => {
  it.each([
    ['is null when nothing is done and there is no watermark', null, [], null],
    ['is the watermark when the done-set is empty', T0, [], T0],
    [
      'is the newest done entry when it is newer than the watermark',
      T0,
      [T0 - MINUTE, T0 + 2 * MINUTE],
      T0 + 2 * MINUTE,
    ],
    ['is the watermark when every done entry is older', T0, [T0 - 2 * MINUTE, T0 - MINUTE], T0],
    ['is the newest done entry when there is no watermark yet', null, [T0, T0 + MINUTE], T0 + MINUTE],
  ] as const)('%s', (_name, watermark, done, expected) => {
    const state = emptyState();
    state.watermark = watermark;
    for (const [i, lastModified] of done.entries()) markDone(state, obj(`k${i}`, lastModified));
    expect(newestDone(state)).toBe(expected);
  });

  it('ignores objects in progress when they are newer than everything done', () => {
    const state = markDone(emptyState(), obj('done', T0));
    markOffset(state, obj('big', T0 + 60 * MINUTE), 5);
    expect(newestDone(state)).toBe(T0);
  });
});

describe('listSince', () => {
  it('returns null when there is no watermark (first run lists everything)', () => {
    expect(listSince(emptyState(), LOOKBACK)).toBeNull();
  });

  it('returns watermark minus lookback when nothing older is in progress', () => {
    const state = emptyState();
    state.watermark = T0;
    expect(listSince(state, LOOKBACK)?.getTime()).toBe(T0 - LOOKBACK);
  });

  it('goes back to the oldest object in progress when it is older than the window', () => {
    const state = emptyState();
    state.watermark = T0;
    markOffset(state, obj('big', T0 - 60 * MINUTE), 7);
    markOffset(state, obj('other', T0 - 30 * MINUTE), 7);
    expect(listSince(state, LOOKBACK)?.getTime()).toBe(T0 - 60 * MINUTE);
  });

  it('stays null with objects in progress when there is no watermark', () => {
    const state = markOffset(emptyState(), obj('big', T0), 7);
    expect(listSince(state, LOOKBACK)).toBeNull();
  });
});

describe('isCandidate', () => {
  const state = emptyState();
  state.watermark = T0;
  markDone(state, obj('done', T0 - MINUTE));
  it.each([
    ['is true when the object is new', obj('new', T0 + MINUTE), true],
    ['is true at the window start exactly', obj('edge', T0 - LOOKBACK), true],
    ['is false just before the window (done by construction)', obj('old', T0 - LOOKBACK - 1), false],
    ['is false when the same version is done', obj('done', T0 - MINUTE), false],
    ['is true when a done object was rewritten with a new ETag', obj('done', T0, '"done-v2"'), true],
    ['is true for a late object older than the watermark but inside the window', obj('late', T0 - 5 * MINUTE), true],
  ])('%s', (_name, candidate, expected) => {
    expect(isCandidate(state, candidate, LOOKBACK)).toBe(expected);
  });

  it('is true for everything when there is no watermark', () => {
    expect(isCandidate(emptyState(), obj('ancient', 0), LOOKBACK)).toBe(true);
  });
});

describe('progress model over many polls', () => {
  it('reads a late object whose key sorts before processed keys when it arrives inside the lookback', () => {
    const state = emptyState();
    const bucket = [obj('logs/2024/01/01/12/b.log', T0), obj('logs/2024/01/01/12/c.log', T0 + MINUTE)];
    expect(poll(state, bucket).map((o) => o.key)).toEqual(bucket.map((o) => o.key));
    // Delivered late, stamped two minutes ago, and sorting before everything already read.
    const late = obj('logs/2024/01/01/11/a.log', T0 - MINUTE);
    bucket.push(late);
    expect(poll(state, bucket)).toEqual([late]);
    expect(poll(state, bucket)).toEqual([]);
  });

  it('reads every object when many share one LastModified second across polls', () => {
    const state = emptyState();
    const bucket: TrackedObject[] = [];
    const second = T0 + 30_000;
    const seen = new Set<string>();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 40; i++) bucket.push(obj(`k/${round}-${String(i).padStart(3, '0')}`, second));
      for (const o of poll(state, bucket)) {
        expect(seen.has(o.key)).toBe(false);
        seen.add(o.key);
      }
    }
    expect(seen.size).toBe(200);
  });

  it('reads an object again when it is rewritten with a new ETag, once', () => {
    const state = emptyState();
    const bucket = [obj('a', T0), obj('b', T0)];
    poll(state, bucket);
    bucket[0] = obj('a', T0 + MINUTE, '"a-v2"');
    expect(poll(state, bucket).map((o) => o.etag)).toEqual(['"a-v2"']);
    expect(poll(state, bucket)).toEqual([]);
  });

  it('keeps the done-set bounded by the lookback window when a day of objects arrives', () => {
    const state = emptyState();
    const bucket: TrackedObject[] = [];
    let largest = 0;
    let reads = 0;
    // One object a minute for a day, polled every five minutes.
    for (let minute = 0; minute < 24 * 60; minute++) {
      bucket.push(obj(`k/${String(minute).padStart(5, '0')}`, T0 + minute * MINUTE));
      if (minute % 5 === 4) {
        reads += poll(state, bucket).length;
        largest = Math.max(largest, Object.keys(state.done).length);
      }
    }
    expect(reads).toBe(24 * 60);
    // Window of ten minutes plus the newest poll: never more than a handful of entries.
    expect(largest).toBeLessThanOrEqual(16);
  });

  it('resumes an object in progress after the watermark moved past it', () => {
    const state = emptyState();
    const big = obj('big', T0);
    markOffset(state, big, 4000);
    markDone(state, obj('later', T0 + 60 * MINUTE));
    advance(state, LOOKBACK);
    expect(isCandidate(state, big, LOOKBACK)).toBe(true);
    expect(resumeRecord(state, big)).toBe(4000);
    markDone(state, big);
    advance(state, LOOKBACK);
    expect(isCandidate(state, big, LOOKBACK)).toBe(false);
    expect(state.done.big).toBeUndefined();
  });
});

describe('startFloor', () => {
  const NOW = T0 + 5 * MINUTE;
  const AT = new Date(T0 - 60 * MINUTE);
  const fresh = () => emptyState();
  const withProgress = () => markDone(emptyState(), obj('a', T0));
  const recorded = () => ({ ...emptyState(), start_time: T0 - 30 * MINUTE });
  const cases: Array<[string, () => CheckpointState, Parameters<typeof startFloor>[1], ReturnType<typeof startFloor>]> =
    [
      ['beginning on a fresh checkpoint', fresh, { kind: 'beginning' }, { floorMs: null }],
      ['beginning on a checkpoint with progress', withProgress, { kind: 'beginning' }, { floorMs: null }],
      ['a timestamp on a fresh checkpoint', fresh, { kind: 'at', at: AT }, { floorMs: AT.getTime() }],
      ['a timestamp on a checkpoint with progress', withProgress, { kind: 'at', at: AT }, { floorMs: AT.getTime() }],
      ['now on a fresh checkpoint: records the instant', fresh, { kind: 'now' }, { floorMs: NOW, recordMs: NOW }],
      ['now on a checkpoint that recorded it: keeps it', recorded, { kind: 'now' }, { floorMs: T0 - 30 * MINUTE }],
      ['now on a checkpoint with progress but no instant', withProgress, { kind: 'now' }, { floorMs: null }],
    ];
  it.each(cases)('gives the floor of live listings for %s', (_name, state, setting, expected) => {
    expect(startFloor(state(), setting, NOW)).toEqual(expected);
  });

  it('records now down to the whole second when the start falls inside one', () => {
    expect(startFloor(emptyState(), { kind: 'now' }, NOW + 999)).toEqual({ floorMs: NOW, recordMs: NOW });
  });

  it('keeps the recorded instant when a restart comes later', () => {
    const state = emptyState();
    const first = startFloor(state, { kind: 'now' }, NOW);
    state.start_time = first.recordMs;
    markDone(state, obj('b', NOW + MINUTE));
    expect(startFloor(state, { kind: 'now' }, NOW + 60 * MINUTE)).toEqual({ floorMs: NOW });
  });
});
