import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoClaimStore } from '../../../claims/dynamodb-claim-store.js';
import type { WorkFeedFactory } from '../../../core/work-feed.js';
import type { S3Clients } from '../s3-clients.js';
import { type S3SourceConfig, s3Prefixes } from '../s3-source-config.js';
import { NotificationFeed } from './notification-feed.js';
import type { NotificationsConfig } from './notifications-config.js';
import { createSqsClient, SqsQueue } from './sqs-queue.js';

export interface NotificationFeedsOptions {
  pipeline: string;
  maxObjectsInFlight: number;
  /** Keys sluice writes itself into the source bucket (checkpoint, dead-letter). */
  isOwnKey(key: string): boolean;
  /** The source's own clients: a notified version's head goes out as its reads do (region, `role_arn` session). */
  s3: S3Clients;
}

/**
 * The feed factory of an S3 source with `notifications`: the SQS and claim-table clients are
 * built here (no service is contacted until the first round), the S3 ones are the source's; one
 * feed per run.
 */
export function createNotificationFeeds(
  source: S3SourceConfig & { notifications: NotificationsConfig },
  options: NotificationFeedsOptions,
): WorkFeedFactory {
  const config = source.notifications;
  // The queue and the claim table keep the task's own credentials, `role_arn` is for the bucket
  // only: a queue in another account is shared through its queue policy (deploy/ecs/sqs/README.md).
  const queue = new SqsQueue(createSqsClient(config, source.region), config.queue_url, options.pipeline);
  const claimsRegion = config.claims.region ?? source.region;
  const claims = new DynamoClaimStore({
    client: new DynamoDBClient({
      ...(claimsRegion ? { region: claimsRegion } : {}),
      ...(config.claims.endpoint ? { endpoint: config.claims.endpoint } : {}),
      maxAttempts: 6,
    }),
    table: config.claims.table,
    pipeline: options.pipeline,
    createTable: config.claims.create_table,
  });
  const filter = {
    ...(config.buckets ? { buckets: new Set(config.buckets) } : {}),
    prefixes: s3Prefixes(source),
    include: source.include.map((pattern) => new RegExp(pattern)),
    exclude: source.exclude.map((pattern) => new RegExp(pattern)),
    isOwnKey: (bucket: string, key: string) => bucket === source.bucket && options.isOwnKey(key),
  };
  return {
    createFeed: (context) =>
      new NotificationFeed({
        pipeline: options.pipeline,
        config,
        queue,
        claims,
        s3: options.s3,
        filter,
        skipStorageClasses: new Set(source.skip_storage_classes),
        maxObjectsInFlight: options.maxObjectsInFlight,
        logger: context.logger,
        metrics: context.metrics,
        owner: context.owner,
      }),
  };
}
