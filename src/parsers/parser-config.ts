import { z } from 'zod';
import { DEFAULT_MAX_DEPTH, MAX_MAX_DEPTH } from './json/parse-json-document.js';

const JSON_DOCUMENTS =
  'Records are cut per JSON document: one per line as AWS writes them, or pretty-printed, or several concatenated; ' +
  'a broken document is one dead-letter entry. A key repeated with a different value refuses the record; a number a ' +
  'double cannot hold (an integer beyond 2^53, 1e400) is kept as its text and the event tagged _json_number_as_text.';

/** The nesting bound of the JSON parsers (parse-json-document.ts). */
const maxDepth = (what: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(MAX_MAX_DEPTH)
    .optional()
    .describe(
      `Deepest nesting ${what} may have, objects and arrays both counted (the ${what} itself is 1); a deeper one goes ` +
        `to the dead-letter. Default ${DEFAULT_MAX_DEPTH}, OpenSearch's own index.mapping.depth.limit.`,
    );

const vpcFieldName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a flow log field name such as "srcaddr" or "log-status"');

export const parserConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('alb').describe('Application Load Balancer access logs.') }),
  z.strictObject({
    type: z
      .literal('alb_connection')
      .describe('Application Load Balancer connection logs (TLS handshakes and mutual TLS, `conn_log` files).'),
  }),
  z.strictObject({ type: z.literal('elb').describe('Classic Load Balancer access logs.') }),
  z.strictObject({ type: z.literal('nlb').describe('Network Load Balancer access logs (TLS listeners).') }),
  z.strictObject({
    type: z.literal('waf').describe(`AWS WAF logs, each document kept as AWS writes it. ${JSON_DOCUMENTS}`),
    max_depth: maxDepth('a record'),
  }),
  z.strictObject({
    type: z.literal('cloudfront').describe('CloudFront standard logs (tab-separated, with #Fields: headers).'),
    fields: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Column names for objects without a #Fields: header (default: the documented standard fields).'),
  }),
  z.strictObject({ type: z.literal('s3_access').describe('S3 server access logs.') }),
  z.strictObject({
    type: z.literal('vpc_flow').describe('VPC flow logs; the header line of each file names its fields.'),
    fields: z
      .array(vpcFieldName)
      .min(1)
      .optional()
      .describe('The flow log format for files without a header line, e.g. ["version", "account-id", ...].'),
  }),
  z.strictObject({
    type: z
      .literal('vpc_flow_parquet')
      .describe(
        'VPC flow logs delivered as Apache Parquet (`file-format=parquet`, `.log.parquet` files): the same fields ' +
          'as vpc_flow; read by byte ranges, one row group at a time, so memory does not grow with the file.',
      ),
  }),
  z.strictObject({
    type: z
      .literal('cloudtrail')
      .describe(`CloudTrail log files: each element of Records is an event. ${JSON_DOCUMENTS}`),
    max_depth: maxDepth('an event'),
  }),
  z.strictObject({
    type: z.literal('json_lines').describe(`One JSON object per record. ${JSON_DOCUMENTS}`),
    max_depth: maxDepth('a record'),
  }),
  z.strictObject({
    type: z.literal('lines').describe('Each line as it is, under one field.'),
    field: z.string().min(1).optional().describe('The field that holds the line (default "message").'),
  }),
]);

/** A parser's settings, defaults applied or not (each factory applies its own defaults). */
export type ParserConfig = z.input<typeof parserConfigSchema>;
