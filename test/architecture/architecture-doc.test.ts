import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, srcRoot } from './source-files.js';

const doc = readFileSync(join(repoRoot, 'docs/ARCHITECTURE.md'), 'utf8');

/** Every file under folders of the repository, as paths from the repository root. */
function filesUnder(...folders: string[]): string[] {
  return folders.flatMap((folder) =>
    readdirSync(join(repoRoot, folder), { recursive: true, encoding: 'utf8' }).map(
      (entry) => `${folder}/${entry.split('\\').join('/')}`,
    ),
  );
}

/**
 * The sections that map the code: their file names must exist. (Other sections may describe a
 * design before its code lands.)
 */
const MAP_SECTIONS = ['The flow of one pipeline', 'Layers', 'Where does my change go', 'Folders'];

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/ARCHITECTURE.md has no "## ${title}" section`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/**
 * The TypeScript files the map sections name, in backticks or in the flow diagram; a name with a
 * placeholder (`<format>-parser.ts`, `*-step.ts`) is not a file.
 */
function namedFiles(): string[] {
  const text = MAP_SECTIONS.map(section).join('\n');
  const found = [...text.matchAll(/(?<![\w>*./-])([\w./-]+\.ts)\b/g)].map((match) => match[1] ?? '');
  return [...new Set(found)];
}

describe('docs/ARCHITECTURE.md', () => {
  it('names the files it checks', () => {
    expect(namedFiles()).toContain('pipeline/object-failure-policy.ts');
    expect(namedFiles()).toContain('test/pipeline/layering.test.ts');
  });

  it('names only files that exist when it names a TypeScript file', () => {
    // A name is written from the root, from src/, or from the folder its row or sentence is about (`json/parse-json-document.ts`).
    const files = filesUnder('src', 'test', 'bench');
    const missing = namedFiles().filter((name) => !files.some((file) => file === name || file.endsWith(`/${name}`)));
    expect(missing).toEqual([]);
  });

  it('has a row for every folder of src/ when it lists the folders', () => {
    const folders = readdirSync(srcRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    const missing = folders
      .map((entry) => entry.name)
      .filter((name) => !section('Folders').includes(`| \`src/${name}/\` |`));
    expect(missing).toEqual([]);
  });
});
