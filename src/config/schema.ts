import { z } from 'zod';
import { checkpointConfigSchema } from '../checkpoint/index.js';
import { pipelineSettingsFields } from '../core/pipeline-settings.js';
import { ECS_KINDS, hasEcsTable } from '../ecs/field-naming.js';
import { conditionSchema } from '../filters/condition.js';
import { filterConfigSchema } from '../filters/index.js';
import { deadLetterConfigSchema } from '../outputs/dead-letter/index.js';
import { fileOutputConfigSchema, opensearchOutputConfigSchema, stdoutOutputConfigSchema } from '../outputs/index.js';
import { parserConfigSchema } from '../parsers/index.js';
import { sourceConfigSchema } from '../sources/index.js';

/** An output's routing condition: the pipeline applies it, so output schemas do not know it. With the
 * condition schema here, unknown keys get a "did you mean" and editors complete conditions. */
const when = {
  when: conditionSchema
    .optional()
    .describe('Routing condition: only events where it holds go to this output (default: every event).'),
};
export const routedOutputConfigSchema = z
  .discriminatedUnion('type', [
    opensearchOutputConfigSchema.safeExtend(when).describe(opensearchOutputConfigSchema.description ?? ''),
    stdoutOutputConfigSchema.safeExtend(when).describe(stdoutOutputConfigSchema.description ?? ''),
    fileOutputConfigSchema.safeExtend(when).describe(fileOutputConfigSchema.description ?? ''),
  ])
  .describe('Where events go: opensearch, stdout or file.');

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
    outputs: z.array(routedOutputConfigSchema).min(1).describe('Every event goes to each output whose `when` holds.'),
    dead_letter: deadLetterConfigSchema
      .optional()
      .describe('Where records that could not be parsed or indexed go, with the reason. Without one they are logged.'),
    checkpoint: checkpointConfigSchema.describe(
      'Where progress and the lease are kept (s3 or dynamodb; file for development).',
    ),
    // Limits of the record loop; the source's and checkpoint's settings sit under those keys.
    ...pipelineSettingsFields,
  })
  .superRefine((pipeline, ctx) => {
    // ECS names exist for the parsers with a table; a template of another kind would map the AWS names.
    if (pipeline.schema !== 'ecs') return;
    const kinds = ECS_KINDS.join(' and ');
    if (!hasEcsTable(pipeline.parser.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['schema'],
        message: `schema: ecs has field names for the ${kinds} parsers only, not ${pipeline.parser.type}; use schema: aws (docs/ECS.md)`,
      });
    }
    for (const [index, output] of pipeline.outputs.entries()) {
      const template = output.type === 'opensearch' ? output.template : undefined;
      const kind = template?.kind;
      if (kind !== undefined && kind !== 'generic' && template?.file === undefined && !hasEcsTable(kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['outputs', index, 'template', 'kind'],
          message: `schema: ecs has index templates for ${kinds} only, not ${kind}`,
        });
      }
    }
  });

export const configSchema = z.strictObject({
  pipelines: z.array(pipelineConfigSchema).min(1).describe('The pipelines this file defines.'),
});

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
export type SluiceConfigFile = z.output<typeof configSchema>;
