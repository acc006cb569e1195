import { z } from 'zod';

/** Where SQS and DynamoDB are reached: AWS by default, an endpoint for compatible servers. */
const awsLocation = {
  region: z.string().min(1).optional().describe("AWS region; defaults to the source's region, then AWS_REGION."),
  endpoint: z.url().optional().describe('Endpoint override (an SQS- or DynamoDB-compatible server).'),
};

export const claimsConfigSchema = z.strictObject({
  type: z.literal('dynamodb'),
  table: z
    .string()
    .min(3)
    .max(255)
    .describe('Table with partition key "claim" (string) and TTL on "delete_after"; one item per object version.'),
  ...awsLocation,
  create_table: z
    .boolean()
    .default(false)
    .describe('Create the table (on-demand billing, TTL on) when it does not exist.'),
  claim_seconds: z
    .number()
    .int()
    .min(3)
    .max(3600)
    .default(60)
    .describe(
      'How long a claim lasts without renewal; renewed every third of this. A task that dies leaves its object ' +
        'to the next task this long after its last renewal, which resumes after the last acknowledged record.',
    ),
  retention_days: z
    .number()
    .positive()
    .default(15)
    .describe(
      "How long a finished object version's claim is kept to absorb duplicate notifications (above SQS's 14-day retention).",
    ),
});

export const notificationsConfigSchema = z.strictObject({
  queue_url: z
    .url()
    .describe("The SQS queue that receives the bucket's S3 event notifications (directly, via SNS or EventBridge)."),
  ...awsLocation,
  wait_time_seconds: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(20)
    .describe('Long polling: how long one ReceiveMessage waits for a message.'),
  max_messages: z.number().int().min(1).max(10).default(10).describe('Messages asked for per receive (at most 10).'),
  visibility_timeout_seconds: z
    .number()
    .int()
    .min(2)
    .max(43_200)
    .optional()
    .describe(
      "Visibility timeout set on each receive, extended every half of it while the object is read; default: the queue's own.",
    ),
  buckets: z
    .array(z.string().min(3))
    .min(1)
    .optional()
    .describe('Only records of these buckets are read (others are deleted and counted); default: any bucket notified.'),
  claims: claimsConfigSchema.describe(
    'Per-object-version claims shared by every task on the queue: duplicates absorbed, half-read objects resumed.',
  ),
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
export type ClaimsConfig = z.infer<typeof claimsConfigSchema>;
