import { isAbsolute, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { ComponentContext } from '../core/components.js';
import { CheckpointError } from '../core/errors.js';
import { checkpointSettingsFields } from '../core/pipeline-settings.js';
import { DynamoCheckpointStore } from './dynamodb-checkpoint-store.js';
import { FileCheckpointStore } from './file-checkpoint-store.js';
import { S3CheckpointStore } from './s3-checkpoint-store.js';
import type { CheckpointStore } from './store.js';

export { DynamoCheckpointStore, MAX_DYNAMODB_STATE_BYTES } from './dynamodb-checkpoint-store.js';
export { FileCheckpointStore } from './file-checkpoint-store.js';
export { createOwnerId } from './owner-id.js';
export { type ListingPass, PipelineCheckpoint, type PipelineCheckpointOptions } from './pipeline-checkpoint.js';
export * from './progress.js';
export { S3CheckpointStore } from './s3-checkpoint-store.js';
export { type CheckpointState, emptyState } from './state.js';
export type { CheckpointStore, VersionedState } from './store.js';

const CHECKPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** Transient AWS failures are retried by the SDK itself; only what outlasts these attempts surfaces. */
const AWS_MAX_ATTEMPTS = 6;

const awsLocation = {
  region: z.string().min(1).optional().describe('AWS region; defaults to the SDK default chain (AWS_REGION).'),
  endpoint: z.url().optional().describe('Endpoint override for S3- or DynamoDB-compatible servers.'),
};

export const s3CheckpointConfigSchema = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().min(3).describe('Bucket that holds the checkpoint objects.'),
  prefix: z
    .string()
    .default('sluice/checkpoints')
    .describe('Folder for checkpoint objects; each pipeline writes <prefix>/<pipeline>.json.'),
  ...awsLocation,
  force_path_style: z.boolean().default(false).describe('Path-style addressing (most S3-compatible servers).'),
  // Lease and save cadence: pipeline settings, the same for every store.
  ...checkpointSettingsFields,
});

export const dynamodbCheckpointConfigSchema = z.strictObject({
  type: z.literal('dynamodb'),
  table: z.string().min(3).max(255).describe('Table with partition key "pipeline" (string); one item per pipeline.'),
  ...awsLocation,
  create_table: z
    .boolean()
    .default(false)
    .describe('Create the table (on-demand billing) when it does not exist, and wait until it is active.'),
  // Lease and save cadence: pipeline settings, the same for every store.
  ...checkpointSettingsFields,
});

export const fileCheckpointConfigSchema = z.strictObject({
  type: z.literal('file'),
  directory: z
    .string()
    .min(1)
    .describe('Directory for checkpoint files (local development); relative to the config file.'),
  // Lease and save cadence: pipeline settings, the same for every store.
  ...checkpointSettingsFields,
});

export const checkpointConfigSchema = z.discriminatedUnion('type', [
  s3CheckpointConfigSchema,
  dynamodbCheckpointConfigSchema,
  fileCheckpointConfigSchema,
]);

export type CheckpointConfig = z.infer<typeof checkpointConfigSchema>;

/**
 * Builds the store for one checkpoint. `name` is the pipeline id, or e.g.
 * `backfill-<pipeline>-<from>-<to>` for a backfill, which must never move the live checkpoint.
 * Credentials come from the AWS default chain.
 */
export async function createCheckpointStore(
  config: CheckpointConfig,
  ctx: ComponentContext,
  name: string,
): Promise<CheckpointStore> {
  // The name becomes an S3 key, a DynamoDB key and a file name: keep it to characters safe in all three.
  if (!CHECKPOINT_NAME.test(name)) {
    throw new CheckpointError(
      `checkpoint name ${JSON.stringify(name)} may only use letters, digits and . _ - : (no slashes); rename the pipeline id`,
      { pipeline: ctx.pipeline },
    );
  }
  switch (config.type) {
    case 's3':
      return new S3CheckpointStore({
        client: new S3Client({
          region: config.region,
          endpoint: config.endpoint,
          forcePathStyle: config.force_path_style,
          maxAttempts: AWS_MAX_ATTEMPTS,
        }),
        bucket: config.bucket,
        prefix: config.prefix,
        name,
        pipeline: ctx.pipeline,
      });
    case 'dynamodb': {
      const client = new DynamoDBClient({
        region: config.region,
        endpoint: config.endpoint,
        maxAttempts: AWS_MAX_ATTEMPTS,
      });
      return new DynamoCheckpointStore({
        client,
        table: config.table,
        name,
        pipeline: ctx.pipeline,
        createTable: config.create_table,
      });
    }
    case 'file':
      return new FileCheckpointStore({
        directory: isAbsolute(config.directory) ? config.directory : resolve(ctx.baseDir, config.directory),
        name,
        pipeline: ctx.pipeline,
      });
  }
}
