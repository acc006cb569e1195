import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath, type Position, type PositionedFile, positionOf } from '../config/yaml-position.js';
import { ConfigError, type ConfigProblem, errorMessage } from '../core/errors.js';
import { issueProblems } from './test-file-problems.js';
import { type TestCaseConfig, testFileSchema } from './test-file-schema.js';

/** A validated test file, with what is needed to point at its parts in later messages. */
export interface TestFile {
  /** Absolute path. */
  file: string;
  /** As messages show it: relative to the working directory when under it. */
  displayName: string;
  /** The folder the file's relative paths (config, input files) resolve against. */
  dir: string;
  /** The file's `config`, resolved: the pipelines its cases test (else `--config`). */
  config?: string;
  pipeline?: string;
  env: Record<string, string>;
  cases: TestCaseConfig[];
  parsed: PositionedFile;
}

/** Where a part of a test file is, e.g. `['tests', 0, 'events', 1]`. */
export function positionIn(testFile: TestFile, path: readonly PropertyKey[]): Position {
  return positionOf(testFile.parsed, path);
}

/** A problem about a part of a test file, in the form config problems take (file:line:col path: message). */
export function problemAt(testFile: TestFile, path: readonly PropertyKey[], message: string): ConfigProblem {
  return { ...positionIn(testFile, path), path: formatPath(path), message };
}

/**
 * Reads and validates one test file; every problem is reported at once as a ConfigError
 * (file:line:col), as pipeline files are. Values are taken as written: no `${VAR}` in tests.
 */
export async function loadTestFile(path: string): Promise<TestFile> {
  const file = resolve(path);
  const displayName = displayNameOf(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ file: displayName, line: 0, column: 0, path: '', message: errorMessage(error) }]);
  }
  const lineCounter = new LineCounter();
  // Anchors and merge keys let cases share expected fields.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  const parsed: PositionedFile = { displayName, doc, lineCounter };
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    const message = `YAML syntax error: ${syntax.message.split('\n')[0]!}`;
    throw new ConfigError([{ file: displayName, line, column: col, path: '', message }]);
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || data === undefined) {
    throw new ConfigError([
      { file: displayName, line: 1, column: 1, path: '', message: 'the file is empty: it needs a "tests:" list' },
    ]);
  }
  const result = testFileSchema.safeParse(data);
  if (!result.success) {
    const problems = issueProblems(result.error.issues, parsed, testFileSchema, data);
    throw new ConfigError(problems.sort((a, b) => a.line - b.line || a.column - b.column));
  }
  const { config, pipeline, env = {}, tests } = result.data;
  const dir = dirname(file);
  return {
    file,
    displayName,
    dir,
    config: config === undefined ? undefined : resolve(dir, config),
    pipeline,
    env: Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value)])),
    cases: tests,
    parsed,
  };
}

function displayNameOf(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}
