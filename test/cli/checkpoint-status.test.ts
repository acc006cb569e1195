import { describe, expect, it } from 'vitest';
import type { CheckpointState } from '../../src/checkpoint/state.js';
import { describeCheckpoint, formatDuration } from '../../src/cli/checkpoint-status.js';

const NOW = Date.UTC(2026, 11, 2, 2, 0, 0);
const state = (overrides: Partial<CheckpointState> = {}): CheckpointState => ({
  format: 1,
  lease: null,
  watermark: null,
  done: {},
  in_progress: {},
  updated_at: NOW - 4000,
  ...overrides,
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [42_400, '42 s'],
    [60_000, '1 min'],
    [303_000, '5 min 3 s'],
    [3 * 3600_000 + 12 * 60_000, '3 h 12 min'],
    [2 * 86_400_000 + 4 * 3600_000, '2 d 4 h'],
    [-5000, '5 s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('describeCheckpoint', () => {
  it('says there is no checkpoint yet when the store holds none', () => {
    expect(describeCheckpoint('alb', 's3://state/sluice/checkpoints/alb.json', null, NOW)).toEqual([
      'alb  s3://state/sluice/checkpoints/alb.json',
      '  no checkpoint yet: the pipeline has not started with this store',
    ]);
  });

  it('shows watermark and lag, start_time, done and quarantined objects, progress and a held lease when a worker runs', () => {
    const lines = describeCheckpoint(
      'alb',
      'dynamodb://t/alb',
      state({
        watermark: NOW - 303_000,
        start_time: Date.UTC(2026, 11, 1, 9, 30, 1),
        done: {
          a: { etag: 'e', last_modified: NOW - 400_000 },
          b: { etag: 'e', last_modified: NOW - 400_000, failed: 'too many dead letters' },
        },
        in_progress: { 'big.log.gz': { etag: 'e', last_modified: NOW - 60_000, record: 50_000 } },
        lease: { owner: 'task-1', expires_at: NOW + 25_000 },
      }),
      NOW,
    );
    expect(lines).toEqual([
      'alb  dynamodb://t/alb',
      '  watermark    2026-12-02T01:54:57.000Z (lag 5 min 3 s)',
      '  start_time   2026-12-01T09:30:01.000Z (recorded at the first start)',
      '  done         2 object(s) in the lookback window, 1 quarantined to the dead-letter',
      '  in progress  1 object(s)',
      '    big.log.gz  records 1..50000 acknowledged',
      '  lease        held by task-1 until 2026-12-02T02:00:25.000Z (25 s left)',
      '  saved        2026-12-02T01:59:56.000Z (4 s ago)',
    ]);
  });

  it.each([
    ['free after a clean stop', null, '  lease        free (the last holder stopped cleanly)'],
    [
      'expired after a crash',
      { owner: 'task-0', expires_at: NOW - 90_000 },
      '  lease        expired 1 min 30 s ago (last holder task-0: it stopped without releasing)',
    ],
  ])('describes a lease %s', (_name, lease, line) => {
    const lines = describeCheckpoint('waf', 'x', state({ lease }), NOW);
    expect(lines).toContain(line);
    expect(lines).toContain('  watermark    none yet (no object done)');
    expect(lines).toContain('  in progress  none');
  });
});
