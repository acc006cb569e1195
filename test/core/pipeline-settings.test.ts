import { describe, expect, it } from 'vitest';
import { pipelineConfigSchema } from '../../src/config/schema.js';
import { resolvePipelineSettings } from '../../src/core/pipeline-settings.js';

const minimal = {
  id: 'p',
  parser: { type: 'lines' },
  outputs: [{ type: 'stdout' }],
};

describe('resolvePipelineSettings', () => {
  it.each([
    {
      name: 'a file source and checkpoint with every default',
      config: { ...minimal, source: { type: 'file', path: '/x' }, checkpoint: { type: 'file', directory: '/c' } },
      expected: {
        pollIntervalMs: 60_000,
        lookbackMs: 60 * 60_000,
        maxObjectsInFlight: 4,
        maxBytesInFlight: 256 * 1024 * 1024,
        startTime: { kind: 'beginning' },
        leaseMs: 30_000,
        flushIntervalMs: 1000,
        maxRecordBytes: 1024 * 1024,
        maxObjectAttempts: 3,
        maxPauseMs: 300_000,
        checkpointEveryRecords: 50_000,
        maxBatchesInFlight: 4,
        maxEventsInFlight: 16_000,
        deadLetterCap: { maxRecords: 1000, maxRatio: 0.5, ratioMinRecords: 100 },
      },
    },
    {
      name: 'an s3 source and dynamodb checkpoint with every value given',
      config: {
        ...minimal,
        source: {
          type: 's3',
          bucket: 'logs',
          poll_interval_seconds: 5,
          lookback_minutes: 15,
          max_objects_in_flight: 8,
          max_bytes_in_flight: 1024,
          start_time: '2024-01-01T00:00:00Z',
        },
        checkpoint: { type: 'dynamodb', table: 'sluice', lease_seconds: 12, flush_interval_seconds: 0.5 },
        max_record_bytes: 4096,
        max_object_attempts: 5,
        max_pause_seconds: 20,
        checkpoint_every_records: 100,
        max_batches_in_flight: 2,
        max_events_in_flight: 6000,
        max_dead_letter_records_per_object: 0,
        max_dead_letter_ratio: 1,
      },
      expected: {
        pollIntervalMs: 5000,
        lookbackMs: 15 * 60_000,
        maxObjectsInFlight: 8,
        maxBytesInFlight: 1024,
        startTime: { kind: 'at', at: new Date('2024-01-01T00:00:00Z') },
        leaseMs: 12_000,
        flushIntervalMs: 500,
        maxRecordBytes: 4096,
        maxObjectAttempts: 5,
        maxPauseMs: 20_000,
        checkpointEveryRecords: 100,
        maxBatchesInFlight: 2,
        maxEventsInFlight: 6000,
        deadLetterCap: { maxRecords: 0, maxRatio: 1, ratioMinRecords: 100 },
      },
    },
  ])('resolves every setting in milliseconds when $name', ({ config, expected }) => {
    expect(resolvePipelineSettings(pipelineConfigSchema.parse(config))).toEqual(expected);
  });

  it.each([
    ['max_batches_in_flight', 0],
    ['max_batches_in_flight', 1.5],
    ['max_events_in_flight', 0],
    ['max_events_in_flight', 2.5],
    ['max_object_attempts', 0],
    ['max_dead_letter_records_per_object', -1],
    ['max_dead_letter_records_per_object', 2.5],
    ['max_dead_letter_ratio', 0],
    ['max_dead_letter_ratio', 1.5],
  ])('refuses %s: %s when the value is out of range', (key, value) => {
    const config = { ...minimal, source: { type: 'file', path: '/x' }, checkpoint: { type: 'file', directory: '/c' } };
    expect(pipelineConfigSchema.safeParse({ ...config, [key]: value }).success).toBe(false);
  });
});

describe('start_time', () => {
  const source = (start_time?: string) => ({
    ...minimal,
    source: { type: 's3', bucket: 'logs', ...(start_time === undefined ? {} : { start_time }) },
    checkpoint: { type: 's3', bucket: 'state' },
  });

  it.each([
    ['unset', undefined, { kind: 'beginning' }],
    ['beginning', 'beginning', { kind: 'beginning' }],
    ['now', 'now', { kind: 'now' }],
    ['a UTC timestamp', '2026-11-30T23:59:59Z', { kind: 'at', at: new Date('2026-11-30T23:59:59Z') }],
    ['a timestamp with an offset', '2026-12-01T01:00:00+02:00', { kind: 'at', at: new Date('2026-11-30T23:00:00Z') }],
    ['a date', '2026-12-01', { kind: 'at', at: new Date('2026-12-01T00:00:00Z') }],
  ])('resolves to the right start when it is %s', (_name, value, expected) => {
    expect(resolvePipelineSettings(pipelineConfigSchema.parse(source(value))).startTime).toEqual(expected);
  });

  it.each(['yesterday', 'NOW', '2026-13-01', '1733097600000', ''])('refuses %j, naming the choices', (value) => {
    const result = pipelineConfigSchema.safeParse(source(value));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('`now`');
    expect(result.error?.issues[0]?.path).toEqual(['source', 'start_time']);
  });
});
