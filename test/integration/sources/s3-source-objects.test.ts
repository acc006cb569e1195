import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/core/errors.js';
import { Metrics } from '../../../src/core/metrics.js';
import { createSource, sourceConfigSchema } from '../../../src/sources/index.js';
import { awsEndpoint, testCredentials, testRegion, testS3Client, uniqueName } from '../../helpers/services.js';
import { createBucket, listKeys, listObjects, nextSecond, putAll, s3Source, testContext } from './s3-test-kit.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function skippedCount(metrics: Metrics, reason: string): Promise<number> {
  const values = (await metrics.objectsSkipped.get()).values;
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

/** Forwards to moto, but GetObject answers 503 (`fail`) or drops the connection mid-body (`cut`). */
function faultProxy(mode: { current: 'pass' | 'fail' | 'cut' }): Promise<Server> {
  const target = new URL(awsEndpoint());
  const server = createServer((req, res) => {
    const isGet = req.method === 'GET' && !req.url?.includes('list-type');
    if (isGet && mode.current === 'fail') {
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        if (isGet && mode.current === 'cut' && response.statusCode === 200) {
          response.once('data', (chunk: Buffer) => {
            // Headers and a few bytes reach the client; then the connection dies.
            res.write(chunk.subarray(0, 10));
            setTimeout(() => res.socket?.destroy(), 100);
          });
          return;
        }
        response.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('S3Source objects', () => {
  const s3 = testS3Client();
  let bucket: string;
  let since: Date;
  const metrics = new Metrics();
  const mode = { current: 'pass' as 'pass' | 'fail' | 'cut' };
  let proxy: Server;

  beforeAll(async () => {
    bucket = uniqueName('src-objects');
    await createBucket(s3, bucket);
    since = await nextSecond();
    await putAll(s3, bucket, [
      { key: 'logs/2024/a.log.gz' },
      { key: 'logs/2024/b.log' },
      { key: 'logs/2024/tmp/c.log.gz' },
      { key: 'logs/2024/empty.log.gz', body: '' },
      { key: 'logs/2024/cold.log.gz', storageClass: 'GLACIER' },
      { key: 'logs/2024/deep.log.gz', storageClass: 'DEEP_ARCHIVE' },
      { key: 'logs/2024/ia.log.gz', storageClass: 'STANDARD_IA' },
    ]);
    proxy = await faultProxy(mode);
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('skips zero-byte and archived objects and counts each once when they are listed twice', async () => {
    const source = s3Source(s3, { bucket, layout: 'none' }, testContext(metrics));
    const expected = ['logs/2024/a.log.gz', 'logs/2024/b.log', 'logs/2024/ia.log.gz', 'logs/2024/tmp/c.log.gz'];
    expect(await listKeys(source, { since })).toEqual(expected);
    expect(await listKeys(source, { since })).toEqual(expected);
    expect(await skippedCount(metrics, 'empty')).toBe(1);
    expect(await skippedCount(metrics, 'storage_class')).toBe(2);
  });

  it.each([
    {
      include: ['\\.gz$'],
      exclude: [],
      expected: ['logs/2024/a.log.gz', 'logs/2024/ia.log.gz', 'logs/2024/tmp/c.log.gz'],
    },
    { include: ['\\.gz$'], exclude: ['/tmp/'], expected: ['logs/2024/a.log.gz', 'logs/2024/ia.log.gz'] },
    { include: [], exclude: ['^logs/2024/[ab]\\.'], expected: ['logs/2024/ia.log.gz', 'logs/2024/tmp/c.log.gz'] },
  ])(
    'applies include $include and exclude $exclude to keys when patterns are set',
    async ({ include, exclude, expected }) => {
      const source = s3Source(s3, { bucket, layout: 'none', include, exclude });
      expect(await listKeys(source, { since: null })).toEqual(expected);
    },
  );

  it('follows continuation tokens when a partition holds more than 1000 objects', async () => {
    const big = uniqueName('src-pages');
    await createBucket(s3, big);
    const day = new Date();
    const y = day.getUTCFullYear();
    const m = String(day.getUTCMonth() + 1).padStart(2, '0');
    const d = String(day.getUTCDate()).padStart(2, '0');
    const keys = Array.from({ length: 1010 }, (_, n) => `data/${y}/${m}/${d}/f${String(n).padStart(5, '0')}.log`);
    await putAll(s3, big, keys, 32);
    const partitioned = s3Source(s3, { bucket: big, partition_pattern: 'data/{yyyy}/{MM}/{dd}/' });
    expect(await listKeys(partitioned, { since: new Date(Date.now() - 3_600_000) })).toEqual(keys);
    const full = s3Source(s3, { bucket: big, layout: 'none' });
    expect(await listKeys(full, { since: null })).toEqual(keys);
  });

  it('streams the listed version and counts bytes when the object is unchanged', async () => {
    const source = s3Source(s3, { bucket, layout: 'none' }, testContext(metrics));
    const object = (await listObjects(source, { since })).find((o) => o.key === 'logs/2024/a.log.gz')!;
    expect(object.etag).not.toMatch(/"/);
    const before = (await metrics.bytesRead.get()).values[0]?.value ?? 0;
    expect(await readAll(await source.open(object))).toBe('line of logs/2024/a.log.gz\n');
    const after = (await metrics.bytesRead.get()).values[0]?.value ?? 0;
    expect(after - before).toBe(object.size);
  });

  it.each([
    { name: 'rewritten after listing', status: 412, gone: 'rewritten' },
    { name: 'deleted after listing', status: 404, gone: 'deleted' },
  ])(
    'throws a non-retryable SourceReadError saying the version is gone when the object was $name',
    async ({ name, status, gone }) => {
      const key = `changing/${name.replace(/ /g, '-')}.log`;
      await putAll(s3, bucket, [key]);
      const source = s3Source(s3, { bucket, layout: 'none', prefix: 'changing/' });
      const object = (await listObjects(source, { since: null })).find((o) => o.key === key)!;
      if (status === 412) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'new content' }));
      else object.key = `${key}.missing`;
      const error = await source.open(object).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceReadError);
      expect(error).toMatchObject({ code: 'ERR_S3_READ', retryable: false, gone, context: { bucket, status } });
    },
  );

  it('throws a retryable SourceReadError after the SDK retries when S3 keeps answering 503', async () => {
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      forcePathStyle: true,
      region: testRegion,
      credentials: testCredentials,
      maxAttempts: 2,
      retryStrategy: undefined,
    });
    const source = s3Source(client, { bucket, layout: 'none' });
    const object = (await listObjects(source, { since })).find((o) => o.key === 'logs/2024/b.log')!;
    mode.current = 'fail';
    try {
      const error = await source.open(object).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'ERR_S3_READ',
        retryable: true,
        gone: undefined,
        context: { key: 'logs/2024/b.log', status: 503 },
      });
    } finally {
      mode.current = 'pass';
    }
  });

  it('fails the stream with a retryable SourceReadError when the connection drops mid-object', async () => {
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      forcePathStyle: true,
      region: testRegion,
      credentials: testCredentials,
    });
    const source = s3Source(client, { bucket, layout: 'none' });
    const object = (await listObjects(source, { since })).find((o) => o.key === 'logs/2024/a.log.gz')!;
    mode.current = 'cut';
    try {
      const stream = await source.open(object);
      const error = await readAll(stream).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_S3_READ', retryable: true });
    } finally {
      mode.current = 'pass';
    }
  });

  it('builds a working source from config when endpoint and force_path_style are set', async () => {
    process.env.AWS_ACCESS_KEY_ID ??= testCredentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= testCredentials.secretAccessKey;
    const config = sourceConfigSchema.parse({
      type: 's3',
      bucket,
      prefix: 'logs/2024/tmp/',
      region: testRegion,
      endpoint: awsEndpoint(),
      force_path_style: true,
    });
    const source = createSource(config, testContext());
    expect(source.location).toBe(bucket);
    expect(await listKeys(source, { since: null })).toEqual(['logs/2024/tmp/c.log.gz']);
  });
});
