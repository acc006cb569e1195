import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCheckpointStore } from '../../../src/checkpoint/index.js';
import { S3CheckpointStore } from '../../../src/checkpoint/s3-checkpoint-store.js';
import { emptyState } from '../../../src/checkpoint/state.js';
import { CheckpointConflictError, CheckpointError } from '../../../src/core/errors.js';
import { leaseRace, renewalKeepsWaiterOut, takeoverAfterExpiry } from '../../checkpoint/lease-scenarios.js';
import { componentContext } from '../../helpers/component-context.js';
import { awsEndpoint, testCredentials, testRegion, testS3Client, uniqueName } from '../../helpers/services.js';

describe('S3CheckpointStore', () => {
  const s3 = testS3Client();
  let bucket: string;
  beforeAll(async () => {
    bucket = uniqueName('cp');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  const store = (name = uniqueName('p')) =>
    new S3CheckpointStore({ client: s3, bucket, prefix: '/sluice/checkpoints/', name, pipeline: name });

  it('loads null when no checkpoint exists', async () => {
    expect(await store().load()).toBeNull();
  });

  it('saves and loads the state at <prefix>/<name>.json with the ETag as version', async () => {
    const s = store('alb');
    expect(s.describe()).toBe(`s3://${bucket}/sluice/checkpoints/alb.json`);
    const state = emptyState();
    state.done['AWSLogs/1/a.log.gz'] = { etag: '"abc"', last_modified: 1_700_000_000_000 };
    const v1 = await s.save(state, null);
    state.watermark = 1_700_000_000_000;
    const v2 = await s.save(state, v1);
    expect(v2).not.toBe(v1);
    expect(await s.load()).toEqual({ state, version: v2 });
  });

  it.each([
    ['creating when one exists', (_v1: string) => null],
    ['updating with a stale ETag', (v1: string) => v1],
  ])('throws CheckpointConflictError when %s', async (_name, expected) => {
    const s = store();
    const v1 = await s.save(emptyState(), null);
    await s.save(emptyState(1), v1);
    await expect(s.save(emptyState(2), expected(v1))).rejects.toBeInstanceOf(CheckpointConflictError);
  });

  it('throws CheckpointConflictError when the checkpoint was deleted since it was read', async () => {
    const s = store();
    const v1 = await s.save(emptyState(), null);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: s.key }));
    await expect(s.save(emptyState(), v1)).rejects.toBeInstanceOf(CheckpointConflictError);
  });

  it('throws CheckpointError (not a conflict) when the bucket does not exist', async () => {
    const s = new S3CheckpointStore({
      client: s3,
      bucket: uniqueName('missing'),
      prefix: 'cp',
      name: 'x',
      pipeline: 'x',
    });
    const loadError = await s.load().catch((e: unknown) => e);
    expect(loadError).toBeInstanceOf(CheckpointError);
    const saveError = await s.save(emptyState(), null).catch((e: unknown) => e);
    expect(saveError).toBeInstanceOf(CheckpointError);
    expect(saveError).not.toBeInstanceOf(CheckpointConflictError);
  });

  it('throws CheckpointError naming the object when it is not a checkpoint', async () => {
    const s = store();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: s.key, Body: '{"hello":1}' }));
    const error = await s.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain(s.key);
  });

  it('builds a working store from config when created through createCheckpointStore', async () => {
    process.env.AWS_ACCESS_KEY_ID = testCredentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = testCredentials.secretAccessKey;
    const built = await createCheckpointStore(
      {
        type: 's3',
        bucket,
        prefix: 'from-config',
        region: testRegion,
        endpoint: awsEndpoint(),
        force_path_style: true,
        lease_seconds: 30,
        flush_interval_seconds: 1,
      },
      componentContext({ pipeline: 'cfg' }),
      'cfg',
    );
    expect(built.describe()).toBe(`s3://${bucket}/from-config/cfg.json`);
    const version = await built.save(emptyState(), null);
    expect((await built.load())?.version).toBe(version);
  });
});

describe('PipelineCheckpoint on S3 (serial moto: atomic conditional writes)', () => {
  const s3 = testS3Client(true);
  let bucket: string;
  beforeAll(async () => {
    bucket = uniqueName('lease');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  const factoryFor = (name: string) => () =>
    new S3CheckpointStore({ client: s3, bucket, prefix: 'cp', name, pipeline: name });

  it('grants the lease to exactly one of twelve owners at a time when they race', async () => {
    await leaseRace(factoryFor(uniqueName('race')), 12, 3000); // 3 s: a loaded machine stalls timers
  });

  it('lets a second owner take over within the lease time and fences the stale one', async () => {
    await takeoverAfterExpiry(factoryFor(uniqueName('takeover')));
  });

  it('keeps a waiter out while the holder renews', async () => {
    await renewalKeepsWaiterOut(factoryFor(uniqueName('renew')));
  });
});
