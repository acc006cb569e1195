import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { testS3Client, uniqueName } from '../../helpers/services.js';

describe('S3 server (moto)', () => {
  const s3 = testS3Client();

  it('puts, lists with StartAfter and gets objects when the bucket is new', async () => {
    const bucket = uniqueName('smoke');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of ['logs/2024/01/01/a.log', 'logs/2024/01/02/b.log', 'logs/2024/01/03/c.log']) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
    }
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'logs/', StartAfter: 'logs/2024/01/01/a.log' }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['logs/2024/01/02/b.log', 'logs/2024/01/03/c.log']);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/2024/01/02/b.log' }));
    expect(await got.Body?.transformToString()).toBe('body of logs/2024/01/02/b.log');
  });

  it('refuses PutObject with If-None-Match: * with 412 when the key exists', async () => {
    const bucket = uniqueName('smoke');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'first', IfNoneMatch: '*' }));
    const error = await s3
      .send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'second', IfNoneMatch: '*' }))
      .catch((e: { $metadata?: { httpStatusCode?: number } }) => e);
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await got.Body?.transformToString()).toBe('first');
  });

  it('refuses PutObject with a stale If-Match ETag with 412', async () => {
    const bucket = uniqueName('smoke');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v1' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v2', IfMatch: first.ETag }));
    const error = await s3
      .send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v3', IfMatch: first.ETag }))
      .catch((e: { $metadata?: { httpStatusCode?: number } }) => e);
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
  });
});
