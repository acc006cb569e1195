import { z } from 'zod';
import { checkpointConfigSchema } from '../checkpoint/index.js';
import { conditionSchema } from '../filters/condition.js';
import { filterConfigSchema } from '../filters/index.js';
import { deadLetterConfigSchema } from '../outputs/dead-letter/index.js';
import { outputConfigSchema } from '../outputs/index.js';
import { parserConfigSchema } from '../parsers/index.js';
import { sourceConfigSchema } from '../sources/index.js';

/** One pipeline: a source, a parser, filters, outputs, a dead-letter and a checkpoint. */
export const pipelineConfigSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, - and _ (at most 63 characters)')
      .describe('Unique pipeline id: names its checkpoint, metrics and dead-letter entries.'),
    description: z.string().optional().describe('Free text for humans.'),
    source: sourceConfigSchema.describe('Where objects come from (s3 or a local directory).'),
    parser: parserConfigSchema.describe('How records of an object become events.'),
    filters: z.array(filterConfigSchema).default([]).describe('Applied in order to every event.'),
    outputs: z.array(outputConfigSchema).min(1).describe('Every event goes to each output whose `when` holds.'),
    dead_letter: deadLetterConfigSchema
      .optional()
      .describe('Where records that could not be parsed or indexed go, with the reason. Without one they are logged.'),
    checkpoint: checkpointConfigSchema.describe(
      'Where progress and the lease are kept (s3 or dynamodb; file for development).',
    ),
    max_record_bytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024)
      .describe('A record (line) longer than this goes to the dead-letter instead of being parsed.'),
    max_object_attempts: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('Attempts at an object that keeps failing (corrupt gzip, read errors) before it is quarantined.'),
    checkpoint_every_records: z
      .number()
      .int()
      .positive()
      .default(50_000)
      .describe('A large object saves its acknowledged record offset at least this often, to resume mid-object.'),
  })
  .superRefine((pipeline, context) => {
    pipeline.outputs.forEach((output, index) => {
      const when = (output as { when?: unknown }).when;
      if (when === undefined) return;
      const parsed = conditionSchema.safeParse(when);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          context.addIssue({ ...issue, path: ['outputs', index, 'when', ...issue.path] } as never);
        }
      }
    });
  });

export const configSchema = z.strictObject({
  pipelines: z.array(pipelineConfigSchema).min(1).describe('The pipelines this file defines.'),
});

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
export type SluiceConfigFile = z.output<typeof configSchema>;
