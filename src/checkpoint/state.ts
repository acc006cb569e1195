import { z } from 'zod';

/**
 * The checkpoint of one pipeline: one JSON document, loaded and saved whole by a
 * CheckpointStore. Times are epoch milliseconds. Keys of `done` and `in_progress` are
 * object keys: a pipeline reads one bucket, so a key names one object (its ETag names
 * one version of it).
 */
export interface CheckpointState {
  format: 1;
  /** Who may write this checkpoint until when; null when free (clean shutdown). */
  lease: { owner: string; expires_at: number } | null;
  /** The newest LastModified the pipeline has safely finished up to; null before the first objects are done. */
  watermark: number | null;
  /** Objects finished (acknowledged, or quarantined with `failed`) inside the lookback window. */
  done: Record<string, DoneEntry>;
  /** Large objects being read: every record up to and including `record` is acknowledged. */
  in_progress: Record<string, InProgressEntry>;
  updated_at: number;
  /**
   * The instant `start_time: now` stood for when the pipeline first started with this
   * checkpoint: kept so a restart does not move it. Absent otherwise.
   */
  start_time?: number;
}

export interface DoneEntry {
  etag: string;
  last_modified: number;
  /** Why the object was quarantined to the dead-letter instead of read. */
  failed?: string;
}

export interface InProgressEntry {
  etag: string;
  last_modified: number;
  record: number;
}

/** The state of a pipeline that has never run. */
export function emptyState(now = Date.now()): CheckpointState {
  return { format: 1, lease: null, watermark: null, done: {}, in_progress: {}, updated_at: now };
}

const epochMs = z.number().int().nonnegative();

/** Checks a loaded document: a corrupt or foreign checkpoint must fail loudly, never read as empty. */
export const checkpointStateSchema = z.strictObject({
  format: z.literal(1),
  lease: z.strictObject({ owner: z.string().min(1), expires_at: epochMs }).nullable(),
  watermark: epochMs.nullable(),
  done: z.record(
    z.string(),
    z.strictObject({ etag: z.string(), last_modified: epochMs, failed: z.string().optional() }),
  ),
  in_progress: z.record(
    z.string(),
    z.strictObject({ etag: z.string(), last_modified: epochMs, record: z.number().int().nonnegative() }),
  ),
  updated_at: epochMs,
  start_time: epochMs.optional(),
});

/** Serializes a state; stores call it before their first await so later in-memory changes never leak into a save. */
export function encodeState(state: CheckpointState): string {
  return JSON.stringify(state);
}

/** Parses and validates a stored state; throws a message naming the first problem. */
export function decodeState(text: string): CheckpointState {
  const parsed = checkpointStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a sluice checkpoint (format 1): ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data as CheckpointState;
}
