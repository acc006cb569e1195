import { CreateBucketCommand, PutObjectCommand, type S3Client, type StorageClass } from '@aws-sdk/client-s3';
import type { ComponentContext, ListWindow, Source } from '../../../src/core/components.js';
import type { SourceObject } from '../../../src/core/event.js';
import { Metrics } from '../../../src/core/metrics.js';
import { S3Source } from '../../../src/sources/s3/s3-source.js';
import { s3SourceConfigSchema } from '../../../src/sources/s3/s3-source-config.js';
import { componentContext } from '../../helpers/component-context.js';

export interface PutSpec {
  key: string;
  body?: string;
  storageClass?: StorageClass;
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** PutObject with bounded concurrency (moto is one process on a shared machine). */
export async function putAll(s3: S3Client, bucket: string, specs: Array<PutSpec | string>, concurrency = 16) {
  const queue = specs.map((s) => (typeof s === 'string' ? { key: s } : s));
  const worker = async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: spec.key,
          Body: spec.body ?? `line of ${spec.key}\n`,
          ...(spec.storageClass ? { StorageClass: spec.storageClass } : {}),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Counts the S3 requests (and keys returned by listings) a client sends. */
export interface RequestCounter {
  requests: number;
  keysReturned: number;
  byCommand: Record<string, number>;
  reset(): void;
}

export function countRequests(s3: S3Client): RequestCounter {
  const counter: RequestCounter = {
    requests: 0,
    keysReturned: 0,
    byCommand: {},
    reset() {
      this.requests = 0;
      this.keysReturned = 0;
      this.byCommand = {};
    },
  };
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      counter.requests++;
      const name = context.commandName ?? 'unknown';
      counter.byCommand[name] = (counter.byCommand[name] ?? 0) + 1;
      const result = await next(args);
      // Objects only (KeyCount also counts CommonPrefixes).
      const output = result.output as { Contents?: unknown[] };
      counter.keysReturned += output.Contents?.length ?? 0;
      return result;
    },
    { step: 'initialize', name: 'sluiceTestRequestCounter' },
  );
  return counter;
}

export function testContext(metrics = new Metrics()): ComponentContext {
  return componentContext({ metrics, baseDir: process.cwd() });
}

export function s3Source(s3: S3Client, config: Record<string, unknown>, context = testContext()): S3Source {
  return new S3Source(s3SourceConfigSchema.parse({ type: 's3', ...config }), context, { client: s3 });
}

export async function listObjects(source: Source, window: ListWindow): Promise<SourceObject[]> {
  const objects: SourceObject[] = [];
  for await (const object of source.list(window)) objects.push(object);
  return objects;
}

export async function listKeys(source: Source, window: ListWindow): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of source.list(window)) keys.push(object.key);
  return keys.sort();
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** UTC date parts of an instant, for building AWS-style keys. */
export function parts(date: Date) {
  return {
    yyyy: pad(date.getUTCFullYear(), 4),
    MM: pad(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
}

export function daysAgo(days: number, from = new Date()): Date {
  return new Date(from.getTime() - days * 86_400_000);
}

/**
 * A `since` strictly after everything put so far and at or before everything put after it
 * returns: S3 LastModified has whole seconds, so wait for the next second boundary.
 */
export async function nextSecond(): Promise<Date> {
  const since = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000 + 1000);
  await new Promise((resolve) => setTimeout(resolve, since.getTime() - Date.now() + 20));
  return since;
}
