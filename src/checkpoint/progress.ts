/**
 * The progress model: which objects still need reading, given a pipeline's checkpoint.
 *
 * Why a done-set and not a timestamp: a single "last LastModified" cursor skips an object
 * that shares its second with one already read, or that becomes visible after a newer one
 * was read. Instead the checkpoint keeps
 *   - `done`: every object (key + ETag) finished inside the lookback window, and
 *   - `watermark`: a LastModified below which, minus the lookback, everything is done.
 * A poll lists every object with LastModified >= watermark - lookback (the window) and
 * skips those in `done`. So, within the window:
 *   - a late object whose key sorts before processed keys is still listed (listing is by
 *     time window, not by a key cursor) and is not in `done`, so it is read;
 *   - many objects sharing one LastModified second are each looked up by key, so none is
 *     lost to a tie;
 *   - an object rewritten with new content has a new ETag, so its `done` entry no longer
 *     matches and it is read again.
 * Objects older than the window are done by construction, so their entries can be pruned
 * and the state stays bounded by what arrives in one lookback window.
 *
 * What this assumes: an object becomes visible in listings within `lookback` of its
 * LastModified. S3 sets LastModified when an upload starts (for multipart uploads, at
 * CreateMultipartUpload), so a long multipart upload can surface "in the past"; the
 * lookback must exceed the longest upload plus delivery delay (AWS log delivery: minutes).
 *
 * Queries are pure. Updates change the given state in place and return it: the done-set can
 * hold many thousands of entries and copying it for every finished object would be quadratic.
 */
import type { StartTime } from '../core/pipeline-settings.js';
import type { CheckpointState } from './state.js';

/** An object as the checkpoint names it: key plus ETag; LastModified where time matters. */
export interface ObjectVersion {
  key: string;
  etag: string;
}

export interface TrackedObject extends ObjectVersion {
  /** The object's LastModified (a Date from the source, or epoch ms). */
  lastModified: Date | number;
}

/** The object's LastModified in epoch ms. */
export function lastModifiedMs(obj: TrackedObject): number {
  return typeof obj.lastModified === 'number' ? obj.lastModified : obj.lastModified.getTime();
}

/** True when this exact version (key and ETag) is finished. A rewritten object (new ETag) is not done. */
export function isDone(state: CheckpointState, obj: ObjectVersion): boolean {
  return state.done[obj.key]?.etag === obj.etag;
}

/** The last acknowledged record of this version, to resume after; 0 when none (or it was another version). */
export function resumeRecord(state: CheckpointState, obj: ObjectVersion): number {
  const entry = state.in_progress[obj.key];
  return entry && entry.etag === obj.etag ? entry.record : 0;
}

/**
 * Records that every record up to and including `record` is acknowledged. Offsets only move
 * forward for one version; a new version replaces the old offset; a done version is left alone.
 */
export function markOffset(state: CheckpointState, obj: TrackedObject, record: number): CheckpointState {
  if (isDone(state, obj)) return state;
  const current = state.in_progress[obj.key];
  if (current && current.etag === obj.etag && current.record >= record) return state;
  state.in_progress[obj.key] = { etag: obj.etag, last_modified: lastModifiedMs(obj), record };
  return state;
}

/** Records the object as finished (or quarantined, with the reason) and drops its offset. */
export function markDone(state: CheckpointState, obj: TrackedObject, failedReason?: string): CheckpointState {
  delete state.in_progress[obj.key];
  state.done[obj.key] = {
    etag: obj.etag,
    last_modified: lastModifiedMs(obj),
    ...(failedReason === undefined ? {} : { failed: failedReason }),
  };
  return state;
}

/**
 * Moves the watermark to the newest LastModified in `done`, never backwards and never above
 * `ceilingMs`, then prunes done entries older than the window (watermark - lookback).
 *
 * The ceiling is how the caller says what it has not finished yet: objects it has listed but
 * not completed, and objects a listing still in progress has not yielded. Without it, a newer
 * object finishing first would move the window past an older queued one, and a crash then
 * would skip it forever (see PipelineProgress for how the ceiling is computed).
 */
export function advance(
  state: CheckpointState,
  lookbackMs: number,
  ceilingMs = Number.POSITIVE_INFINITY,
): CheckpointState {
  const newest = newestDone(state);
  if (newest !== null) {
    const candidate = Math.min(newest, ceilingMs);
    if (Number.isFinite(candidate) && (state.watermark === null || candidate > state.watermark)) {
      state.watermark = candidate;
    }
  }
  if (state.watermark !== null) {
    const cutoff = state.watermark - lookbackMs;
    for (const [key, entry] of Object.entries(state.done)) {
      if (entry.last_modified < cutoff) delete state.done[key];
    }
  }
  return state;
}

/**
 * LastModified (epoch ms) of the newest object known to be done: the watermark, or a newer
 * entry of the done-set; null before any. The lag gauge is measured from it.
 */
export function newestDone(state: CheckpointState): number | null {
  let newest = state.watermark;
  for (const entry of Object.values(state.done)) {
    if (newest === null || entry.last_modified > newest) newest = entry.last_modified;
  }
  return newest;
}

/**
 * The LastModified from which a listing must look: the window start (watermark - lookback),
 * lowered to the oldest object still in progress so that it resumes. Null before the first
 * watermark: the first run lists everything.
 */
export function listSince(state: CheckpointState, lookbackMs: number): Date | null {
  if (state.watermark === null) return null;
  let since = state.watermark - lookbackMs;
  for (const entry of Object.values(state.in_progress)) {
    if (entry.last_modified < since) since = entry.last_modified;
  }
  return new Date(since);
}

/** True when the object may need reading: not done, and inside the listing window. */
export function isCandidate(state: CheckpointState, obj: TrackedObject, lookbackMs: number): boolean {
  if (isDone(state, obj)) return false;
  const since = listSince(state, lookbackMs);
  return since === null || lastModifiedMs(obj) >= since.getTime();
}

/** A checkpoint that holds no progress: no watermark, nothing done or in progress. */
export function isFresh(state: CheckpointState): boolean {
  return (
    state.watermark === null && Object.keys(state.done).length === 0 && Object.keys(state.in_progress).length === 0
  );
}

/**
 * The LastModified below which a live listing never looks, from `start_time` (epoch ms; null:
 * no floor), and the instant to record for `now`. `now` is the first start's second: taken
 * from the checkpoint when it holds one, else recorded now if the checkpoint is fresh. A
 * checkpoint with progress but without that instant (written before `now` was configured)
 * goes on from its progress: moving it to today would skip what it has not finished yet.
 */
export function startFloor(
  state: CheckpointState,
  setting: StartTime,
  nowMs: number,
): { floorMs: number | null; recordMs?: number } {
  if (setting.kind === 'beginning') return { floorMs: null };
  if (setting.kind === 'at') return { floorMs: setting.at.getTime() };
  if (state.start_time !== undefined) return { floorMs: state.start_time };
  // Down to the whole second: S3 keeps LastModified in seconds, so an object written in the
  // same second as the start, after it, would otherwise fall below the floor.
  const startMs = Math.floor(nowMs / 1000) * 1000;
  if (isFresh(state)) return { floorMs: startMs, recordMs: startMs };
  return { floorMs: null };
}
