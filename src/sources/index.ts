import { z } from 'zod';
import type { ComponentContext, Source } from '../core/components.js';
import type { WorkFeedFactory } from '../core/work-feed.js';
import { FileSource } from './file/file-source.js';
import { fileSourceConfigSchema } from './file/file-source-config.js';
import {
  createNotificationFeeds as createS3NotificationFeeds,
  type NotificationFeedsOptions,
} from './s3/notifications/notification-feeds.js';
import type { NotificationsConfig } from './s3/notifications/notifications-config.js';
import { S3Source, type S3SourceOptions } from './s3/s3-source.js';
import { type S3SourceConfig, s3SourceConfigSchema } from './s3/s3-source-config.js';

export { FileSource } from './file/file-source.js';
export { type FileSourceConfig, fileSourceConfigSchema } from './file/file-source-config.js';
export { isRetryableS3Failure, toS3ReadError } from './s3/s3-read-failure.js';
export { S3Source } from './s3/s3-source.js';
export { type S3SourceConfig, s3SourceConfigSchema } from './s3/s3-source-config.js';

export const sourceConfigSchema = z.discriminatedUnion('type', [s3SourceConfigSchema, fileSourceConfigSchema]);
export type SourceConfig = z.infer<typeof sourceConfigSchema>;

export function createSource(config: SourceConfig, context: ComponentContext, options: S3SourceOptions = {}): Source {
  switch (config.type) {
    case 's3':
      return new S3Source(config, context, options);
    case 'file':
      return new FileSource(config, context);
  }
}

/**
 * The feed factory of an S3 source with `notifications`, built beside its source: a notified
 * version's head goes through the source's own clients, so each region has one client and one
 * `role_arn` session for heads and reads alike.
 */
export function createNotificationFeeds(
  config: S3SourceConfig & { notifications: NotificationsConfig },
  source: Source,
  options: Omit<NotificationFeedsOptions, 's3'>,
): WorkFeedFactory {
  if (!(source instanceof S3Source)) throw new TypeError(`notifications need an S3 source, got ${source.type}`);
  return createS3NotificationFeeds(config, { ...options, s3: source.clients });
}
