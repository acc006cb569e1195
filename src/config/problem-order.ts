import type { ConfigProblem } from '../core/errors.js';

/**
 * Problems as they are reported: by file (in the order the files were read; a problem of a file
 * not listed, such as the config path itself, first), then line and column, each once.
 */
export function inFileOrder(problems: readonly ConfigProblem[], files: readonly string[]): ConfigProblem[] {
  const seen = new Set<string>();
  const once = problems.filter((problem) => {
    const key = JSON.stringify([problem.file, problem.line, problem.column, problem.path, problem.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return once.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.column - b.column);
}
