import type { Metrics } from '../core/metrics.js';
import type { StartTime } from '../core/pipeline-settings.js';
import {
  advance,
  isCandidate,
  lastModifiedMs,
  listSince,
  markDone,
  markOffset,
  newestDone,
  type ObjectVersion,
  resumeRecord,
  startFloor,
  type TrackedObject,
} from './progress.js';
import { type CheckpointState, emptyState } from './state.js';

/**
 * One pass over the source's listing. Objects it offers are tracked until markDone, and the
 * watermark never moves past what a pass that is still running, or an object still queued,
 * could hold (see PipelineProgress).
 */
export interface ListingPass {
  /** Give the source this as ListWindow.since. */
  readonly since: Date | null;
  /** True when the object needs reading; it is then tracked until markDone. */
  offer(obj: TrackedObject): boolean;
  /** Call when the listing ran to its end (not when it was interrupted). */
  complete(): void;
}

/**
 * S3 LastModified comes from S3's clock, pass start times from ours; keep the watermark this
 * far behind a pass start so a skewed clock cannot push the window past unseen objects.
 */
const CLOCK_MARGIN_MS = 60_000;

/**
 * The progress a pipeline makes in its checkpoint state: the listing passes, the objects they
 * offered that are not done yet, and the marks the runner sets as records are acknowledged.
 * The rules themselves are the pure functions of progress.ts; this class adds what only a
 * running process knows (which objects it has queued, which listings ran to their end).
 *
 * The watermark moves only as far as is safe after a crash: not past the oldest object offered
 * but not done, and not past the start of the last listing pass that ran to its end (objects a
 * running pass has not yielded yet are older than that start, or arrived after it and sit inside
 * the lookback window by assumption).
 */
export class PipelineProgress {
  private current: CheckpointState = emptyState();
  /** Offered, not yet done: `key\netag` -> LastModified. Memory only: after a crash the next pass finds them again. */
  private readonly pending = new Map<string, number>();
  /** Start of the newest listing pass that ran to its end in this process. */
  private completedPassStart: number | null = null;
  private readonly labels: { pipeline: string };

  constructor(
    private readonly lookbackMs: number,
    private readonly metrics: Metrics,
    pipeline: string,
  ) {
    this.labels = { pipeline };
  }

  /** The in-memory state (read-only: change it through the mark methods). */
  get state(): Readonly<CheckpointState> {
    return this.current;
  }

  /** Continues from the state loaded when the lease was taken. */
  resume(state: CheckpointState): void {
    this.current = state;
  }

  /**
   * The floor `start_time` puts under live listings (see progress.ts startFloor); records the
   * instant of `now` in the state on a first start. `recorded` says the state must be saved.
   */
  settleStart(setting: StartTime, nowMs = Date.now()): { floor: Date | null; recorded: boolean } {
    const { floorMs, recordMs } = startFloor(this.current, setting, nowMs);
    if (recordMs !== undefined) this.current.start_time = recordMs;
    return { floor: floorMs === null ? null : new Date(floorMs), recorded: recordMs !== undefined };
  }

  /** Starts one pass over the listing; see ListingPass. */
  beginPass(): ListingPass {
    const startedAt = Date.now();
    const since = listSince(this.current, this.lookbackMs);
    let completed = false;
    return {
      since,
      offer: (obj) => {
        if (!isCandidate(this.current, obj, this.lookbackMs)) return false;
        this.pending.set(pendingKey(obj), lastModifiedMs(obj));
        return true;
      },
      complete: () => {
        if (completed) return;
        completed = true;
        if (this.completedPassStart === null || startedAt > this.completedPassStart) {
          this.completedPassStart = startedAt;
        }
      },
    };
  }

  resumeRecord(obj: ObjectVersion): number {
    return resumeRecord(this.current, obj);
  }

  /** Every record up to and including `record` of this object is acknowledged. */
  markOffset(obj: TrackedObject, record: number): void {
    markOffset(this.current, obj, record);
  }

  /** The object is finished: all records acknowledged, or quarantined with `failedReason`. Also for skipped objects. */
  markDone(obj: TrackedObject, failedReason?: string): void {
    markDone(this.current, obj, failedReason);
    this.pending.delete(pendingKey(obj));
  }

  /** Moves the watermark as far as is safe (see the class comment) and returns the state to save. */
  stateToSave(): CheckpointState {
    advance(this.current, this.lookbackMs, this.watermarkCeiling());
    return this.current;
  }

  /** Sets the lag gauge after a save: now minus the LastModified of the newest object done. */
  reportLag(now: number): void {
    const newest = newestDone(this.current);
    if (newest !== null) this.metrics.lagSeconds.set(this.labels, Math.max(0, (now - newest) / 1000));
  }

  /** How far the watermark may move when saving (see the class comment). */
  private watermarkCeiling(): number {
    if (this.completedPassStart === null) return this.current.watermark ?? Number.NEGATIVE_INFINITY;
    return Math.min(this.completedPassStart - CLOCK_MARGIN_MS, this.oldestUnfinished());
  }

  /** Oldest LastModified among objects offered but not done, and objects in progress. */
  private oldestUnfinished(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const lastModified of this.pending.values()) if (lastModified < oldest) oldest = lastModified;
    for (const entry of Object.values(this.current.in_progress)) {
      if (entry.last_modified < oldest) oldest = entry.last_modified;
    }
    return oldest;
  }
}

function pendingKey(obj: ObjectVersion): string {
  return `${obj.key}\n${obj.etag}`;
}
