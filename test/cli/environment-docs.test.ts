import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, VARIABLES } from '../../src/cli/environment.js';
import { environmentHelp, environmentMarkdown, MARKDOWN_END, MARKDOWN_START } from '../../src/cli/environment-help.js';
import { repoRoot } from '../helpers/process.js';

const read = (path: string) => readFileSync(resolve(repoRoot, path), 'utf8');
const names = VARIABLES.map((v) => v.name as string);

function sourceFiles(dir: string): string[] {
  return readdirSync(resolve(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => join(dir, path));
}

describe('the environment table in the docs', () => {
  it.each(['README.md', 'deploy/ecs/README.md'])(
    'is in %s exactly as generated from src/cli/environment.ts',
    (path) => {
      const text = read(path);
      const start = text.indexOf(MARKDOWN_START);
      const end = text.indexOf(MARKDOWN_END);
      expect(start, `${path} has the generated table`).toBeGreaterThanOrEqual(0);
      // On failure: paste the expected block (environmentMarkdown()) over the one in the file.
      expect(text.slice(start, end + MARKDOWN_END.length)).toBe(environmentMarkdown());
    },
  );

  it.each(['run', 'backfill'] as const)(
    'lists every variable `sluice %s --help` reads, with its default',
    (command) => {
      const help = environmentHelp(command);
      for (const variable of VARIABLES.filter((v) => v.readBy.includes(command))) {
        expect(help).toContain(
          variable.default === undefined
            ? `${variable.name} (unset: ${variable.unset})`
            : `${variable.name}=${variable.default}`,
        );
      }
      expect(help).toContain(`${ENVIRONMENT.maxOldSpaceMb.name}=128`);
      expect(help).toContain(`${ENVIRONMENT.maxSemiSpaceMb.name}=8`);
    },
  );
});

describe('the environment table in the code', () => {
  it('holds every SLUICE_* variable that src/, entrypoint.sh and the Dockerfile name', () => {
    // Variables the example pipelines interpolate (`${SLUICE_DEMO_OUT:-out}`) belong to those configs.
    const yaml = ['examples', 'pipelines'].flatMap((dir) =>
      readdirSync(resolve(repoRoot, dir), { recursive: true, encoding: 'utf8' })
        .filter((path) => /\.ya?ml$/.test(path))
        .map((path) => read(join(dir, path))),
    );
    const configVariables = new Set(
      yaml.flatMap((text) => [...text.matchAll(/\$\{(SLUICE_[A-Z0-9_]+)/g)].map((m) => m[1])),
    );
    const texts = [...sourceFiles('src').map(read), read('entrypoint.sh'), read('Dockerfile')];
    const used = new Set<string>();
    for (const text of texts) {
      // `${SLUICE_X}` inside a string is a pipeline config reference (interpolation), not a setting.
      for (const match of text.replace(/\$\{SLUICE_[A-Z_]+\}/g, '').matchAll(/SLUICE_[A-Z][A-Z0-9_]*[A-Z0-9]/g)) {
        if (!match[0].startsWith('SLUICE_TEST_') && !configVariables.has(match[0])) used.add(match[0]);
      }
    }
    expect([...used].filter((name) => !names.includes(name))).toEqual([]);
  });

  it.each([ENVIRONMENT.maxOldSpaceMb, ENVIRONMENT.maxSemiSpaceMb])(
    "gives $name the table's default in entrypoint.sh, which applies it before node starts",
    (variable) => {
      const defaults = [...read('entrypoint.sh').matchAll(new RegExp(`\\$\\{${variable.name}:-(\\d+)\\}`, 'g'))].map(
        (m) => m[1],
      );
      expect(defaults).toEqual([variable.default]);
    },
  );

  it('names every variable entrypoint.sh reads as read by entrypoint.sh, and no other', () => {
    const inEntrypoint = new Set([...read('entrypoint.sh').matchAll(/\$\{(SLUICE_[A-Z0-9_]+):-/g)].map((m) => m[1]));
    const table = VARIABLES.filter((v) => v.readBy.includes('entrypoint.sh')).map((v) => v.name as string);
    expect([...inEntrypoint].sort()).toEqual(table.sort());
  });

  it('is read only under src/cli/: src/core reads no process.env and nothing else reads a SLUICE_* variable', () => {
    for (const file of sourceFiles('src/core')) expect(read(file), file).not.toContain('process.env');
    const outside = sourceFiles('src').filter((file) => !file.startsWith('src/cli/') && !file.startsWith('src/bench/'));
    for (const file of outside) expect(read(file), file).not.toMatch(/env(\.|\[['"])SLUICE_/);
  });
});
