import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { ComponentContext, DeadLetter, DeadLetterEntry } from '../../core/components.js';
import { OutputError } from '../../core/errors.js';

const gzipAsync = promisify(gzip);

export const s3DeadLetterConfigSchema = z
  .strictObject({
    type: z.literal('s3'),
    bucket: z.string().min(3).describe('Bucket the dead-letter objects are written to.'),
    prefix: z
      .string()
      .default('dead-letter')
      .describe('Key prefix; objects land under <prefix>/<pipeline>/<YYYY-MM-DD>/<digest of the entries>.ndjson.gz.'),
    region: z.string().optional().describe('Region of the bucket; defaults to the AWS SDK region chain.'),
    endpoint: z.url().optional().describe('Custom S3 endpoint (S3-compatible stores, tests).'),
    force_path_style: z
      .boolean()
      .default(false)
      .describe('Path-style addressing, needed by most S3-compatible stores.'),
  })
  .describe('Dead-letter entries as gzip NDJSON objects in S3, one object per put.');

export type S3DeadLetterConfig = z.infer<typeof s3DeadLetterConfigSchema>;

/**
 * The object key of one put: the day, then a digest of the entries without their time. The same
 * failures stored again (a retry after a put whose answer was lost, a batch read again after a
 * restart) overwrite one object instead of adding a copy; different entries get different keys
 * across workers. Only a repeat on another day (UTC) is stored twice.
 */
export function deadLetterKey(
  prefix: string,
  pipeline: string,
  now: Date,
  entries: readonly DeadLetterEntry[],
): string {
  const day = now.toISOString().slice(0, 10);
  const digest = createHash('sha256');
  for (const { at: _at, ...failure } of entries) digest.update(`${JSON.stringify(failure)}\n`);
  const base = prefix.replace(/\/+$/, '');
  return `${base ? `${base}/` : ''}${pipeline}/${day}/${digest.digest('hex').slice(0, 32)}.ndjson.gz`;
}

export class S3DeadLetter implements DeadLetter {
  private readonly client: S3Client;

  constructor(
    private readonly config: S3DeadLetterConfig,
    private readonly ctx: ComponentContext,
    client?: S3Client,
  ) {
    this.client =
      client ??
      new S3Client({
        ...(config.region ? { region: config.region } : {}),
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        forcePathStyle: config.force_path_style,
      });
  }

  async put(entries: DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const key = deadLetterKey(this.config.prefix, this.ctx.pipeline, new Date(), entries);
    const body = await gzipAsync(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
        }),
      );
    } catch (cause) {
      throw new OutputError(
        'ERR_DEAD_LETTER_WRITE',
        `cannot write dead-letter object s3://${this.config.bucket}/${key}: ${cause instanceof Error ? cause.name : 'error'}`,
        { pipeline: this.ctx.pipeline, bucket: this.config.bucket, key },
        'Check that the dead-letter bucket exists and the task role may s3:PutObject on it.',
        cause,
      );
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
