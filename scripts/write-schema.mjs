#!/usr/bin/env node
// Writes docs/pipeline.schema.json (pipeline files) and docs/pipeline-test.schema.json (`sluice test`
// files) from the compiled schemas. Run after `npm run build`; test/config/json-schema.test.ts
// fails while either is out of date.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipelineJsonSchemaText } from '../dist/config/json-schema.js';
import { pipelineTestJsonSchemaText } from '../dist/pipeline-test/test-file-json-schema.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
for (const [name, text] of [
  ['pipeline.schema.json', pipelineJsonSchemaText()],
  ['pipeline-test.schema.json', pipelineTestJsonSchemaText()],
]) {
  writeFileSync(join(docs, name), text);
  console.log(`wrote ${join(docs, name)}`);
}
