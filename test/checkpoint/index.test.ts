import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointConfigSchema, createCheckpointStore } from '../../src/checkpoint/index.js';
import { emptyState } from '../../src/checkpoint/state.js';
import { CheckpointError } from '../../src/core/errors.js';
import { componentContext } from '../helpers/component-context.js';

const ctx = (baseDir: string) => componentContext({ pipeline: 'alb', baseDir });

describe('checkpointConfigSchema', () => {
  it.each([
    ['fills defaults when an s3 store names only its bucket', { type: 's3', bucket: 'my-bucket' }, true],
    [
      'accepts a dynamodb store that creates its table',
      { type: 'dynamodb', table: 'sluice', create_table: true },
      true,
    ],
    ['accepts a file store with a directory', { type: 'file', directory: './state' }, true],
    ['rejects an unknown key', { type: 's3', bucket: 'my-bucket', lookback_minutes: 5 }, false],
    ['rejects an unknown type', { type: 'redis', url: 'x' }, false],
    ['rejects a lease shorter than three seconds', { type: 'file', directory: 'x', lease_seconds: 1 }, false],
    ['rejects an endpoint that is not a URL', { type: 's3', bucket: 'my-bucket', endpoint: 'localhost' }, false],
  ])('%s', (_name, input, ok) => {
    expect(checkpointConfigSchema.safeParse(input).success).toBe(ok);
  });

  it('defaults lease_seconds to 30, prefix and force_path_style when omitted', () => {
    expect(checkpointConfigSchema.parse({ type: 's3', bucket: 'bkt' })).toEqual({
      type: 's3',
      bucket: 'bkt',
      prefix: 'sluice/checkpoints',
      force_path_style: false,
      lease_seconds: 30,
      flush_interval_seconds: 1,
    });
  });
});

describe('createCheckpointStore', () => {
  it('resolves a relative file directory against the config directory when building a file store', async () => {
    const base = await mkdtemp(join(tmpdir(), 'sluice-cfg-'));
    try {
      const store = await createCheckpointStore(
        checkpointConfigSchema.parse({ type: 'file', directory: 'state' }),
        ctx(base),
        'alb',
      );
      expect(store.describe()).toBe(join(base, 'state', 'alb.json'));
      expect(await store.save(emptyState(), null)).toBe('1');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it.each(['../escape', 'a/b', '', '.hidden'])('throws CheckpointError when the name is %j', async (name) => {
    await expect(
      createCheckpointStore(checkpointConfigSchema.parse({ type: 'file', directory: '/tmp' }), ctx('/'), name),
    ).rejects.toBeInstanceOf(CheckpointError);
  });
});
