import { draft07, type JsonSchema } from '../config/json-schema.js';
import { testFileSchema } from './test-file-schema.js';

/** The JSON Schema of a `sluice test` file (docs/TESTING.md); its values are taken as written, no ${VAR}. */
export function pipelineTestJsonSchema(): JsonSchema {
  const { $schema, ...rest } = draft07(testFileSchema);
  return {
    $schema,
    title: 'sluice pipeline tests',
    description: `${testFileSchema.description ?? ''}. Generated from src/pipeline-test/test-file-schema.ts: do not edit.`,
    ...rest,
  };
}

/** The text docs/pipeline-test.schema.json holds. */
export function pipelineTestJsonSchemaText(): string {
  return `${JSON.stringify(pipelineTestJsonSchema(), null, 2)}\n`;
}
