import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterEntry } from '../../../src/core/components.js';
import { createDeadLetter, deadLetterConfigSchema } from '../../../src/outputs/dead-letter/index.js';
import { componentContext } from '../../helpers/component-context.js';
import { awsEndpoint, testCredentials, testRegion, testS3Client, uniqueName } from '../../helpers/services.js';

const s3 = testS3Client();
const ctx = componentContext({ pipeline: 'alb-main' });

beforeAll(() => {
  // The dead-letter uses the default credential chain, as in production; moto takes any key.
  process.env.AWS_ACCESS_KEY_ID = testCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = testCredentials.secretAccessKey;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

function entry(record: number): DeadLetterEntry {
  return {
    pipeline: 'alb-main',
    bucket: 'logs',
    key: 'AWSLogs/1/elasticloadbalancing/x.log.gz',
    etag: 'abc',
    record,
    code: 'ERR_BULK_REJECTED',
    reason: 'mapper_parsing_exception: failed to parse field [sent_bytes]',
    doc: { sent_bytes: 'a lot', '@timestamp': '2024-01-01T00:00:00Z' },
    at: new Date().toISOString(),
  };
}

describe('S3DeadLetter', () => {
  it('stores each put as one gzip NDJSON object under prefix/pipeline/date before put resolves', async () => {
    const bucket = uniqueName('dlq');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const config = deadLetterConfigSchema.parse({
      type: 's3',
      bucket,
      prefix: 'failed/',
      region: testRegion,
      endpoint: awsEndpoint(),
      force_path_style: true,
    });
    const dlq = createDeadLetter(config, ctx);
    const first = [entry(3), entry(9)];
    await dlq.put(first);
    await dlq.put([entry(12)]);
    await dlq.put([]);
    await dlq.close();

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
    expect(keys).toHaveLength(2);
    const day = new Date().toISOString().slice(0, 10);
    for (const key of keys) expect(key).toMatch(new RegExp(`^failed/alb-main/${day}/[0-9a-f]{32}\\.ndjson\\.gz$`));

    const bodies = await Promise.all(
      keys.map(async (Key) => {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
        const raw = Buffer.from(await got.Body!.transformToByteArray());
        const text = (await promisify(gunzip)(raw)).toString('utf8');
        return text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as DeadLetterEntry);
      }),
    );
    const all = bodies.flat().sort((a, b) => a.record - b.record);
    expect(all).toEqual([...first, entry(12)].map((e) => ({ ...e, at: expect.any(String) })));
  });

  it('stores the same entries under the same key when a put is repeated (a retry after a lost answer, a batch read again after a restart)', async () => {
    const bucket = uniqueName('dlq-again');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const config = deadLetterConfigSchema.parse({
      type: 's3',
      bucket,
      region: testRegion,
      endpoint: awsEndpoint(),
      force_path_style: true,
    });
    const dlq = createDeadLetter(config, ctx);
    await dlq.put([entry(3), entry(9)]);
    // The same failures found again later: only their time differs.
    await dlq.put([
      { ...entry(3), at: '2030-01-01T00:00:00.000Z' },
      { ...entry(9), at: '2030-01-01T00:00:00.000Z' },
    ]);
    await dlq.put([entry(3)]);
    await dlq.put([{ ...entry(3), code: 'ERR_OUTPUT_ENCODE' }]);
    await dlq.close();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((o) => o.Key!)).toHaveLength(3);
  });

  it('rejects put with ERR_DEAD_LETTER_WRITE naming the bucket when the bucket does not exist', async () => {
    const bucket = uniqueName('dlq-missing');
    const dlq = createDeadLetter(
      deadLetterConfigSchema.parse({
        type: 's3',
        bucket,
        region: testRegion,
        endpoint: awsEndpoint(),
        force_path_style: true,
      }),
      ctx,
    );
    await expect(dlq.put([entry(1)])).rejects.toMatchObject({
      code: 'ERR_DEAD_LETTER_WRITE',
      context: { bucket },
      hint: expect.stringMatching(/s3:PutObject/),
    });
    await dlq.close();
  });
});
