import { z } from 'zod';
import type { ComponentContext, Source } from '../core/components.js';
import { FileSource } from './file/file-source.js';
import { fileSourceConfigSchema } from './file/file-source-config.js';
import { S3Source, type S3SourceOptions } from './s3/s3-source.js';
import { s3SourceConfigSchema } from './s3/s3-source-config.js';

export { FileSource } from './file/file-source.js';
export { type FileSourceConfig, fileSourceConfigSchema } from './file/file-source-config.js';
export { createNotificationFeeds } from './s3/notifications/notification-feeds.js';
export { S3Clients } from './s3/s3-clients.js';
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
