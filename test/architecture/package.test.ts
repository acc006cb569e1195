import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleSpecifiers, packageName, repoRoot, sourceFiles } from './source-files.js';

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;

/** What `npm pack` would put in the package (and the image's COPY takes the same list). */
function packedPaths(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [packed] = JSON.parse(output) as { files: { path: string }[] }[];
  return (packed?.files ?? []).map((file) => file.path);
}

/** The packages src/ imports, each with the first file that imports it. */
function importedPackages(): Map<string, string> {
  const builtins = new Set(builtinModules);
  const imported = new Map<string, string>();
  for (const file of sourceFiles()) {
    for (const specifier of moduleSpecifiers(file)) {
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
      const name = packageName(specifier);
      if (!imported.has(name)) imported.set(name, file.path);
    }
  }
  return imported;
}

/** The top of the package: what runs (dist/, bin/, the entrypoint), the examples, the docs. */
const SHIPPED = [/^dist\//, /^bin\//, /^pipelines\//, /^examples\/demo\//, /^entrypoint\.sh$/, /^package\.json$/];
const DOCS = /^(README|LICENSE|NOTICE|CHANGELOG)(\.md)?$/i;

describe('the npm package', () => {
  it('ships no test, benchmark or TypeScript source when packed', () => {
    const paths = packedPaths();
    expect(paths).toContain('bin/sluice.js');
    const unexpected = paths.filter((path) => !SHIPPED.some((allowed) => allowed.test(path)) && !DOCS.test(path));
    const testCode = paths.filter((path) => /(^|\/)(test|bench|src)\//.test(path) || /\.test\.[jt]s$/.test(path));
    expect(unexpected).toEqual([]);
    expect(testCode).toEqual([]);
  });

  it('lists as a runtime dependency every package src/ imports, and nothing src/ does not import', () => {
    const imported = importedPackages();
    const runtime = Object.keys(manifest.dependencies);
    const unlisted = [...imported].filter(([name]) => !runtime.includes(name)).map(([name, by]) => `${name} (${by})`);
    const unused = runtime.filter((name) => !imported.has(name));
    expect(unlisted, 'imported under src/ but not in dependencies').toEqual([]);
    expect(unused, 'in dependencies but imported nowhere under src/ (a test-only one is a devDependency)').toEqual([]);
  });

  it('keeps no package in both dependencies and devDependencies', () => {
    const both = Object.keys(manifest.dependencies).filter((name) => name in manifest.devDependencies);
    expect(both).toEqual([]);
  });
});
