/**
 * Where a pipeline's work comes from and where its done-ness is recorded: the one seam between
 * the runner (pipeline/pipeline-runner.ts, pipeline/object-runner.ts) and the two ways sluice
 * finds objects, listing (pipeline/listing-feed.ts: a lease, listing passes, a done-set) and S3
 * event notifications (sources/s3/notifications/notification-feed.ts: SQS messages, per-version claims).
 * docs/ARCHITECTURE.md, "Notification mode", compares them.
 */
import type { Logger } from 'pino';
import type { SourceObject } from './event.js';
import type { Metrics } from './metrics.js';

/** How an object that was not finished is handed back. */
export type PutBackReason =
  /** Its own failure with attempts left: try it again (the object runner already waited the backoff). */
  | 'retry'
  /** The worker drains: someone else (or the next start) continues from the offset marked. */
  | 'drained'
  /** A pipeline-level fault: not tried again until the pipeline resumes. */
  | 'paused'
  /** This worker lost the right to it (the lease, or the object's claim), or the round ended first. */
  | 'stopped';

/** Why an object counts as done without every record having been read. */
export interface DoneOutcome {
  /** `quarantined`: the dead-letter holds one entry for it; `skipped`: it was not read (gone, empty). */
  kind: 'quarantined' | 'skipped';
  reason: string;
}

/**
 * One object version to process. Every item a feed yields is settled exactly once, by
 * `markDone` or `putBack`; `markOffset` may be called any number of times before.
 */
export interface WorkItem {
  readonly object: SourceObject;
  /** Every record up to and including this one was acknowledged before: resume after it (0: from the start). */
  readonly resumeAfter: number;
  /** Aborted when this worker may no longer work on the object (its claim was taken over). */
  readonly lost?: AbortSignal;
  /**
   * The object as it is now, read before processing (notifications: the head of the notified
   * version, for its LastModified and size). Throws a SourceReadError (with `gone` when the
   * version no longer exists), which the failure policy handles like a read failure.
   */
  resolve?(signal: AbortSignal): Promise<SourceObject>;
  /** Every record up to and including `record` is acknowledged (saved later, at the feed's cadence). */
  markOffset(record: number): void;
  /** Finished: every record acknowledged, or the outcome says why not. Resolves once that is recorded. */
  markDone(outcome?: DoneOutcome): Promise<void>;
  /** Not finished; the offset marked so far stays. */
  putBack(reason: PutBackReason): Promise<void>;
}

/** What the runner tells a feed about one round. */
export interface RoundContext {
  /** The pipeline was paused before this round: take little at first (a probe). */
  afterPause: boolean;
  /** A run that must end (`--once`, a backfill): end the round once there is nothing left to do. */
  bounded: boolean;
  /** The feed got through (an object done, or an empty receive with nothing in flight): a pause is over. */
  onHealthy(): void;
}

/**
 * The source of a pipeline's work. The runner calls `start` once, then `round` again and again
 * (waiting `roundIntervalMs` after a complete one, a backoff after a fault), `flush` after each,
 * and `close` at the end unless `lost` says another worker took over.
 */
export interface WorkFeed {
  /** For logs and metrics: `listing` or `notifications`. */
  readonly kind: 'listing' | 'notifications';
  /** Pause between two complete rounds. */
  readonly roundIntervalMs: number;
  /** Aborts when this worker may no longer take any work (listing: the lease was lost). */
  readonly lostSignal: AbortSignal;
  readonly lost: boolean;
  /** Becomes able to hand out work (waits for the lease, checks the queue); `signal` stops the wait. */
  start(signal: AbortSignal): Promise<void>;
  /**
   * The work of one round. It ends by itself when the round is over (a listing pass ran to its
   * end; a bounded notification run found the queue empty); a pipeline-level fault of the feed
   * itself (listing, receiving, claiming) is thrown. Aborting `signal` ends it early.
   */
  round(signal: AbortSignal, context: RoundContext): AsyncIterable<WorkItem>;
  /** Saves what the round recorded. */
  flush(): Promise<void>;
  /** Final save and release (the lease, claims, messages), so another worker continues at once. */
  close(): Promise<void>;
}

/** What a feed built at pipeline build time needs from the run that uses it. */
export interface FeedContext {
  logger: Logger;
  metrics: Metrics;
  /** Identifies this worker in claims (createOwnerId: unique per process). */
  owner: string;
}

/** Builds the feed of a pipeline whose source brings its own (S3 event notifications). */
export interface WorkFeedFactory {
  createFeed(context: FeedContext): WorkFeed;
}
