import { z } from 'zod';
import type { ComponentContext, DeadLetter } from '../../core/components.js';
import { FileDeadLetter, fileDeadLetterConfigSchema } from './file-dead-letter.js';
import { S3DeadLetter, s3DeadLetterConfigSchema } from './s3-dead-letter.js';

export const deadLetterConfigSchema = z
  .discriminatedUnion('type', [s3DeadLetterConfigSchema, fileDeadLetterConfigSchema])
  .describe('Where records, events and objects that cannot be stored go, with the reason: s3 or file.');

export type DeadLetterConfig = z.infer<typeof deadLetterConfigSchema>;

export function createDeadLetter(config: DeadLetterConfig, ctx: ComponentContext): DeadLetter {
  switch (config.type) {
    case 's3':
      return new S3DeadLetter(config, ctx);
    case 'file':
      return new FileDeadLetter(config, ctx);
  }
}

export { FileDeadLetter, fileDeadLetterConfigSchema } from './file-dead-letter.js';
export { LogDeadLetter } from './log-dead-letter.js';
export { PipelineDeadLetter } from './pipeline-dead-letter.js';
export { deadLetterKey, S3DeadLetter, s3DeadLetterConfigSchema } from './s3-dead-letter.js';
