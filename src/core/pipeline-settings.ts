/**
 * Every pipeline-level knob in one place: its zod field (description and default) and the
 * resolved, typed PipelineSettings the runner uses. The YAML keeps each key where users write
 * it (under `source:`, under `checkpoint:`, or at the pipeline's root); the schemas there spread
 * these fields in. It lives in core/ because sources/, checkpoint/ and config/ all import it.
 */
import { z } from 'zod';

/** `start_time`, where a first start without a checkpoint begins: the three choices, in words. */
export const START_TIME_CHOICES =
  '`now` (only objects last modified after the first start; that instant is kept in the checkpoint, so a restart ' +
  'does not move it), an ISO 8601 timestamp or date, UTC unless it has an offset (a cutover from Logstash: the time ' +
  'in its sincedb plus one second), or `beginning` (every object under the prefixes: logs Logstash already indexed ' +
  'would be indexed twice, under other ids)';

/**
 * `start_time` under `source:`. Unset it means `beginning`, as before the option existed, but
 * `validate` warns about an S3 source without one: the tools users come from disagree (Logstash's
 * s3 input reads the whole bucket, Vector's aws_s3 only new notifications, Filebeat's aws-s3 from
 * `start_timestamp`), and the wrong guess does something irreversible: a bucket's whole history
 * indexed a second time next to what Logstash indexed.
 */
export function startTimeField() {
  return z
    .union([z.enum(['now', 'beginning']), z.iso.datetime({ offset: true }), z.iso.date()], {
      error: () => `not a start time; write ${START_TIME_CHOICES}`,
    })
    .optional()
    .describe(`Where a first start without a checkpoint begins: ${START_TIME_CHOICES}. Unset: \`beginning\`.`);
}

/** Under `source:` (both source types): poll cadence, lookback and read concurrency. */
export const sourceSettingsFields = {
  poll_interval_seconds: z
    .number()
    .positive()
    .default(60)
    .describe('Seconds between two polls of the source (Logstash `interval`).'),
  // The source's, not the checkpoint's: it describes how late that source's objects arrive.
  lookback_minutes: z
    .number()
    .nonnegative()
    .default(60)
    .describe('How far behind the watermark each poll re-checks for late arrivals and out-of-order keys.'),
  max_objects_in_flight: z.number().int().positive().default(4).describe('Objects read at the same time.'),
  max_bytes_in_flight: z
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024)
    .describe('Sum of the sizes of objects read at the same time (one larger object still runs alone).'),
  start_time: startTimeField(),
};

/** Where a first start begins: `beginning` lists everything, `now` the first start's instant, `at` a given one. */
export type StartTime = { kind: 'beginning' } | { kind: 'now' } | { kind: 'at'; at: Date };

/** `start_time` as the settings hold it; unset reads everything, as before the option existed. */
export function resolveStartTime(value: string | undefined): StartTime {
  if (value === undefined || value === 'beginning') return { kind: 'beginning' };
  if (value === 'now') return { kind: 'now' };
  return { kind: 'at', at: new Date(value) };
}

/** Under `checkpoint:` (every store type): the lease and how often progress is saved. */
export const checkpointSettingsFields = {
  lease_seconds: z
    .number()
    .int()
    .min(3)
    .max(3600)
    .default(30)
    .describe(
      'How long the lease lasts without renewal. It is renewed every third of this; a second task takes over this long after the first stops.',
    ),
  flush_interval_seconds: z
    .number()
    .positive()
    .max(60)
    .default(1)
    .describe('Longest time progress stays unsaved; a crash re-reads at most this much (without duplicates).'),
};

/**
 * Records an object must have had read before max_dead_letter_ratio is judged: fewer say little
 * (two bad lines of three), and an object that small dead-letters little anyway.
 */
export const DEAD_LETTER_RATIO_MIN_RECORDS = 100;

/** At the pipeline's root: limits of the record loop, and the field naming. */
export const pipelineSettingsFields = {
  // The config schema refuses `ecs` for a parser without an ECS table (src/ecs/field-naming.ts).
  schema: z
    .enum(['aws', 'ecs'])
    .default('aws')
    .describe(
      "Field names of the indexed documents: aws (the parsers' own, as in the AWS docs) or ecs (Elastic Common " +
        'Schema: source.ip, http.response.status_code, url.path, rule.name...; alb and waf parsers only). Filters ' +
        'and conditions always use the aws names; the rename is the last step before the outputs (docs/ECS.md).',
    ),
  max_record_bytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024)
    .describe('A record (line) longer than this goes to the dead-letter instead of being parsed.'),
  max_object_attempts: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Attempts at an object that keeps failing (corrupt gzip, read errors) before it is quarantined.'),
  max_pause_seconds: z
    .number()
    .positive()
    .max(3600)
    .default(300)
    .describe(
      'Longest wait between two tries of a paused pipeline (access denied, credentials refused, an output down). ' +
        'The wait starts near 1 s and doubles up to this; the pipeline resumes by itself once the fault is fixed.',
    ),
  checkpoint_every_records: z
    .number()
    .int()
    .positive()
    .default(50_000)
    .describe('A large object saves its acknowledged record offset at least this often, to resume mid-object.'),
  // 1000: a real object with a few bad lines (a cut last line, an appended format) stays far
  // below it, while the dead-letter of one object stays near a megabyte at log line sizes.
  max_dead_letter_records_per_object: z
    .number()
    .int()
    .nonnegative()
    .default(1000)
    .describe(
      'Records (and rejected events) of one object that may go to the dead-letter one by one; past it the object ' +
        'is quarantined as one entry and the rest of it is not read. Counted from where a read starts (a resume too).',
    ),
  // 0.5: when most records of an object fail, it is not the log type this pipeline parses (a wrong
  // prefix or parser, binary data), and one entry tells that better than thousands.
  max_dead_letter_ratio: z
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe(
      `Share of an object's records that may go to the dead-letter, judged once ${DEAD_LETTER_RATIO_MIN_RECORDS} records are read; ` +
        'past it the object is quarantined as one entry. 1 turns the ratio off.',
    ),
  max_batches_in_flight: z
    .number()
    .int()
    .positive()
    .default(4)
    .describe(
      'Batches of one object (up to 2000 records each) sent to the outputs and not yet acknowledged; ' +
        'reading waits while this many are out. More overlaps reading with slow outputs, at the cost of memory.',
    ),
  max_events_in_flight: z
    .number()
    .int()
    .positive()
    .default(16_000)
    .describe(
      'Events of all the objects read at once sent to the outputs and not yet acknowledged (each holds its ' +
        'document, its line and its encoded form: about 3 KB for ALB); reading waits above it. ' +
        'Bounds the memory of max_objects_in_flight objects meeting a slow output.',
    ),
};

const sourceSettingsShape = z.object(sourceSettingsFields);
const checkpointSettingsShape = z.object(checkpointSettingsFields);
const pipelineSettingsShape = z.object(pipelineSettingsFields);

/** The parsed pipeline config, as far as its settings go. */
export type PipelineSettingsConfig = z.output<typeof pipelineSettingsShape> & {
  source: z.output<typeof sourceSettingsShape>;
  checkpoint: z.output<typeof checkpointSettingsShape>;
};

/** The resolved settings of one pipeline, in the units the code uses. */
export interface PipelineSettings {
  pollIntervalMs: number;
  lookbackMs: number;
  maxObjectsInFlight: number;
  maxBytesInFlight: number;
  /** Where a first start without a checkpoint begins (pipeline-runner.ts applies it to live listings). */
  startTime: StartTime;
  leaseMs: number;
  /** Longest time progress stays unsaved. */
  flushIntervalMs: number;
  maxRecordBytes: number;
  maxObjectAttempts: number;
  /** Cap of the backoff between tries of a paused pipeline. */
  maxPauseMs: number;
  checkpointEveryRecords: number;
  /** Per object: batches sent to the outputs and not yet acknowledged. */
  maxBatchesInFlight: number;
  /** Per pipeline, over all its objects: events sent to the outputs and not yet acknowledged. */
  maxEventsInFlight: number;
  /** Per object: how many records may be dead-lettered one by one before it is quarantined. */
  deadLetterCap: DeadLetterCap;
}

/** The per-object limits on dead-lettered records (pipeline/dead-letter-cap.ts applies them). */
export interface DeadLetterCap {
  maxRecords: number;
  /** Dead-lettered records per record read, judged once `ratioMinRecords` are read. */
  maxRatio: number;
  ratioMinRecords: number;
}

export function resolvePipelineSettings(config: PipelineSettingsConfig): PipelineSettings {
  const { source, checkpoint } = config;
  return {
    pollIntervalMs: source.poll_interval_seconds * 1000,
    lookbackMs: source.lookback_minutes * 60_000,
    maxObjectsInFlight: source.max_objects_in_flight,
    maxBytesInFlight: source.max_bytes_in_flight,
    startTime: resolveStartTime(source.start_time),
    leaseMs: checkpoint.lease_seconds * 1000,
    flushIntervalMs: checkpoint.flush_interval_seconds * 1000,
    maxRecordBytes: config.max_record_bytes,
    maxObjectAttempts: config.max_object_attempts,
    maxPauseMs: config.max_pause_seconds * 1000,
    checkpointEveryRecords: config.checkpoint_every_records,
    maxBatchesInFlight: config.max_batches_in_flight,
    maxEventsInFlight: config.max_events_in_flight,
    deadLetterCap: {
      maxRecords: config.max_dead_letter_records_per_object,
      maxRatio: config.max_dead_letter_ratio,
      ratioMinRecords: DEAD_LETTER_RATIO_MIN_RECORDS,
    },
  };
}
