import { z } from 'zod';
import type { ComponentContext, Output } from '../core/components.js';
import { FileOutput, fileOutputConfigSchema } from './file-output.js';
import { opensearchOutputConfigSchema } from './opensearch/opensearch-config.js';
import { OpenSearchOutput } from './opensearch/opensearch-output.js';
import { StdoutOutput, stdoutOutputConfigSchema } from './stdout-output.js';

export const outputConfigSchema = z
  .discriminatedUnion('type', [opensearchOutputConfigSchema, stdoutOutputConfigSchema, fileOutputConfigSchema])
  .describe('Where events go: opensearch, stdout or file.');

export type OutputConfig = z.infer<typeof outputConfigSchema>;

export function createOutput(config: OutputConfig, ctx: ComponentContext): Output {
  switch (config.type) {
    case 'opensearch':
      return new OpenSearchOutput(config, ctx);
    case 'stdout':
      return new StdoutOutput(ctx);
    case 'file':
      return new FileOutput(config, ctx);
  }
}

/**
 * An output built and prepared (its local files read: an index template), as `run` and
 * `sluice validate` build it: every problem of its settings is thrown at once (an AggregateError
 * when there are several), not only the first.
 */
export async function buildOutput(config: OutputConfig, ctx: ComponentContext): Promise<Output> {
  if (config.type === 'opensearch') return OpenSearchOutput.build(config, ctx);
  const output = createOutput(config, ctx);
  await output.prepare?.();
  return output;
}

export { type BatchEncoder, createBatchEncoder } from './batch-encoders.js';
export { FileOutput, fileOutputConfigSchema } from './file-output.js';
export { opensearchOutputConfigSchema } from './opensearch/opensearch-config.js';
export { OpenSearchOutput } from './opensearch/opensearch-output.js';
export { StdoutOutput, stdoutOutputConfigSchema } from './stdout-output.js';
