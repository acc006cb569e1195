import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '../../src');

/** Component folders whose concrete modules only their index factories hand out. */
const COMPONENTS = /from '\.\.\/(sources|outputs)\/([^']+)'/g;

/** What pipeline/ and worker/ may import from a component folder, and where. */
function allowed(file: string, target: string): boolean {
  // Decompression is shared by every source (the record loop applies it), not a source itself.
  if (target === 'sources/decompress.js') return true;
  const factories = ['sources/index.js', 'outputs/index.js', 'outputs/dead-letter/index.js'];
  return file === 'pipeline/build-pipeline.ts' && factories.includes(target);
}

describe('pipeline and worker layering', () => {
  it('imports no concrete source or output when a module is outside build-pipeline', () => {
    const offending: string[] = [];
    for (const folder of ['pipeline', 'worker', 'pipeline-test']) {
      for (const name of readdirSync(join(src, folder)).filter((n) => n.endsWith('.ts'))) {
        const file = `${folder}/${name}`;
        for (const match of readFileSync(join(src, file), 'utf8').matchAll(COMPONENTS)) {
          const target = `${match[1]}/${match[2]}`;
          if (!allowed(file, target)) offending.push(`${file} imports ${target}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
