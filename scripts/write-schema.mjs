#!/usr/bin/env node
// Writes docs/pipeline.schema.json from the compiled config schema. Run after `npm run build`;
// test/config/json-schema.test.ts fails while the file is out of date.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipelineJsonSchemaText } from '../dist/config/json-schema.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'pipeline.schema.json');
writeFileSync(target, pipelineJsonSchemaText());
console.log(`wrote ${target}`);
