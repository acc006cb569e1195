import { z } from 'zod';
import { sourceSettingsFields } from '../../core/pipeline-settings.js';
import { notificationsConfigSchema } from './notifications/notifications-config.js';
import { parsePartitionPattern } from './partition-pattern.js';

export const S3_LAYOUTS = [
  'auto',
  'alb',
  'alb_connection',
  'elb',
  'nlb',
  'waf',
  'cloudfront',
  'cloudtrail',
  'vpc_flow',
  's3_access',
  'none',
] as const;
export type S3Layout = (typeof S3_LAYOUTS)[number];

const regexList = (what: string) =>
  z
    .array(
      z.string().refine(
        (source) => {
          try {
            new RegExp(source);
            return true;
          } catch {
            return false;
          }
        },
        { message: 'not a valid regular expression' },
      ),
    )
    .default([])
    .describe(what);

export const s3SourceConfigSchema = z
  .strictObject({
    type: z.literal('s3'),
    bucket: z.string().min(3).describe('Bucket holding the logs.'),
    prefixes: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Key prefixes to read, e.g. `AWSLogs/` (default: the whole bucket).'),
    prefix: z.string().optional().describe('One key prefix (shorthand for `prefixes: [..]`, as in Logstash).'),
    region: z.string().optional().describe("Bucket region; defaults to AWS_REGION (or the SDK's default chain)."),
    endpoint: z.url().optional().describe('Endpoint of an S3-compatible store (MinIO, moto); omit for AWS.'),
    force_path_style: z
      .boolean()
      .default(false)
      .describe('Address buckets as `endpoint/bucket` instead of `bucket.endpoint` (most S3-compatible stores).'),
    include: regexList('Regular expressions on the key: when given, only keys matching one of them are read.'),
    exclude: regexList('Regular expressions on the key: matching keys are never read (Logstash `exclude_pattern`).'),
    layout: z
      .enum(S3_LAYOUTS)
      .default('auto')
      .describe(
        'Key layout under the prefixes, so a poll lists only the date partitions that can hold new objects. ' +
          '`auto` recognises the AWS layouts (AWSLogs/..., CloudFront and S3 access log names); `none` always lists everything.',
      ),
    partition_pattern: z
      .string()
      .optional()
      .describe(
        'Custom layout under each prefix, overriding `layout`, e.g. `logs/{account}/{yyyy}/{MM}/{dd}/`: `{name}` is any ' +
          'one path segment (discovered by listing), `{yyyy}` `{MM}` `{dd}` `{HH}` `{mm}` are UTC date parts and must come last. ' +
          'Firehose delivery (e.g. older WAF logging) is `{yyyy}/{MM}/{dd}/{HH}/`.',
      ),
    skip_storage_classes: z
      .array(z.string())
      .default(['GLACIER', 'DEEP_ARCHIVE'])
      .describe('Objects in these storage classes cannot be read without a restore: skipped with a warning.'),
    notifications: notificationsConfigSchema
      .optional()
      .describe(
        'Notification mode: take work from S3 event notifications in SQS, shared by many tasks (docs/ARCHITECTURE.md, "Notification mode"); `sluice backfill` still lists.',
      ),
    // Poll cadence, lookback and concurrency: pipeline settings, the same for every source.
    ...sourceSettingsFields,
  })
  .superRefine((config, context) => {
    if (config.prefix !== undefined && config.prefixes !== undefined) {
      context.addIssue({ code: 'custom', path: ['prefix'], message: 'give either `prefix` or `prefixes`, not both' });
    }
    if (config.partition_pattern !== undefined) {
      try {
        parsePartitionPattern(config.partition_pattern);
      } catch (error) {
        context.addIssue({ code: 'custom', path: ['partition_pattern'], message: (error as Error).message });
      }
    }
  });

export type S3SourceConfig = z.infer<typeof s3SourceConfigSchema>;

/** The prefixes to read: `prefixes`, else `prefix`, else the whole bucket. */
export function s3Prefixes(config: Pick<S3SourceConfig, 'prefix' | 'prefixes'>): string[] {
  return config.prefixes ?? [config.prefix ?? ''];
}
