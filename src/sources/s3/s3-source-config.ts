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

/** An IAM role ARN in any partition (aws, aws-cn, aws-us-gov), with an optional path. */
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** STS's own character sets and lengths for the two AssumeRole parameters sluice passes on. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

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
    endpoint: z
      .url()
      .optional()
      .describe(
        'Endpoint of an S3-compatible store (MinIO, moto); omit for AWS. With `role_arn`, STS is called there too (MinIO and moto serve it).',
      ),
    role_arn: z
      .string()
      .regex(ROLE_ARN, {
        message:
          'not an IAM role ARN: expected arn:aws:iam::<12-digit account id>:role/<name>, e.g. arn:aws:iam::210987654321:role/sluice-log-reader',
      })
      .optional()
      .describe(
        "A role to assume (STS AssumeRole) for every read of this source, e.g. a role in the account that owns the bucket; the task's own credentials assume it and the SDK renews the session before it expires. Checkpoint, dead-letter, queue and claim table keep the task's own credentials.",
      ),
    external_id: z
      .string()
      .regex(EXTERNAL_ID, { message: '2 to 1224 of the characters STS allows (letters, digits and _+=,.@:/-)' })
      .optional()
      .describe("The `sts:ExternalId` the role's trust policy requires, when it requires one (with `role_arn`)."),
    role_session_name: z
      .string()
      .regex(SESSION_NAME, { message: '2 to 64 of the characters STS allows (letters, digits and _+=,.@-)' })
      .optional()
      .describe(
        "The session name the other account's CloudTrail shows for sluice's reads (with `role_arn`); default `sluice-<pipeline id>`.",
      ),
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
    for (const option of ['external_id', 'role_session_name'] as const) {
      if (config[option] !== undefined && config.role_arn === undefined) {
        context.addIssue({
          code: 'custom',
          path: [option],
          message: `\`${option}\` needs \`role_arn\`: it is a parameter of assuming that role`,
        });
      }
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
