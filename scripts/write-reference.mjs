#!/usr/bin/env node
// Writes docs/reference/ (one page per source, parser, filter, output, dead-letter and
// checkpoint store, the conditions and the pipeline keys) from the compiled zod schemas, and
// removes pages of types that no longer exist. Run after `npm run build`;
// test/reference-docs/reference-docs.test.ts fails while a page is out of date.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referencePages } from '../dist/reference-docs/render-reference.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'reference');
const pages = referencePages();
rmSync(root, { recursive: true, force: true });
for (const [path, text] of pages) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const written = readdirSync(root, { recursive: true }).filter((name) => String(name).endsWith('.md'));
console.log(`wrote ${written.length} pages in ${relative(process.cwd(), root) || root}`);
