/**
 * The component kinds the reference documents, each with the zod union its config slot
 * validates with (the loader's own schemas), the key it is written under and a summary for
 * the types whose schema carries no description of its own.
 */
import type { z } from 'zod';
import { checkpointConfigSchema } from '../checkpoint/index.js';
import { routedOutputConfigSchema } from '../config/schema.js';
import { filterConfigSchema } from '../filters/index.js';
import { deadLetterConfigSchema } from '../outputs/dead-letter/index.js';
import { parserConfigSchema } from '../parsers/index.js';
import { sourceConfigSchema } from '../sources/index.js';

export interface ComponentKind {
  /** The folder under docs/reference/. */
  folder: string;
  /** `parser`, `filter`, ...: how a page's title names one. */
  noun: string;
  /** The pipeline key a component of this kind is written under. */
  slot: 'source' | 'parser' | 'filters' | 'outputs' | 'dead_letter' | 'checkpoint';
  schema: z.ZodType;
  /** What the kind is for, on the index page. */
  about: string;
  /** Summaries of the types whose schema has no description. */
  summaries: Record<string, string>;
}

export const COMPONENT_KINDS: readonly ComponentKind[] = [
  {
    folder: 'sources',
    noun: 'source',
    slot: 'source',
    schema: sourceConfigSchema,
    about: 'Where objects come from.',
    summaries: {
      s3: 'Lists and reads objects in an S3 bucket, only the date partitions that can hold new objects.',
      file: 'Reads the files of a local folder, for development and replays.',
    },
  },
  {
    folder: 'parsers',
    noun: 'parser',
    slot: 'parser',
    schema: parserConfigSchema,
    about: 'How the records of an object become events (docs/GUARANTEES.md says what each refuses).',
    summaries: {
      alb: 'Application Load Balancer access logs: one event per line, fields named as in the AWS documentation.',
      elb: 'Classic Load Balancer access logs: one event per line.',
      waf: "AWS WAF logs: one event per JSON document (one per line, pretty-printed or concatenated), with AWS's own structure and names.",
      cloudfront: "CloudFront standard access logs: fields from the file's `#Fields:` header line.",
      s3_access:
        'S3 server access logs: one event per line; the request URI is also split into method, URL and protocol.',
      vpc_flow: "VPC flow logs: fields from the file's first line (default or custom format).",
      cloudtrail: "CloudTrail logs: one event per entry of the file's `Records` array.",
      json_lines: 'Any JSON: one event per JSON document.',
      lines: 'Any text: one event per line, the line in one field.',
    },
  },
  {
    folder: 'filters',
    noun: 'filter',
    slot: 'filters',
    schema: filterConfigSchema,
    about: 'Applied in order to every event; each takes a `when` condition.',
    summaries: {},
  },
  {
    folder: 'outputs',
    noun: 'output',
    slot: 'outputs',
    schema: routedOutputConfigSchema,
    about: 'Where events go; each takes a `when` condition that routes events to it.',
    summaries: {},
  },
  {
    folder: 'dead-letters',
    noun: 'dead-letter',
    slot: 'dead_letter',
    schema: deadLetterConfigSchema,
    about: 'Where records, events and objects that cannot be stored go, with the reason.',
    summaries: {},
  },
  {
    folder: 'checkpoints',
    noun: 'checkpoint store',
    slot: 'checkpoint',
    schema: checkpointConfigSchema,
    about: 'Where progress and the lease are kept.',
    summaries: {
      s3: 'The checkpoint as one JSON object per pipeline in S3, written with conditional requests.',
      dynamodb: 'The checkpoint as one item per pipeline in a DynamoDB table (partition key `pipeline`, a string).',
      file: 'The checkpoint in a local folder, with a lock file: for development and a single host.',
    },
  },
];
