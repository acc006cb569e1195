import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type SourceFile, sourceFiles } from './source-files.js';

/** `process.env`, `process['env']` or `globalThis.process.env` anywhere in the file's code (comments do not count). */
function readsProcessEnv(file: SourceFile): boolean {
  const isProcess = (node: ts.Expression): boolean =>
    (ts.isIdentifier(node) && node.text === 'process') ||
    (ts.isPropertyAccessExpression(node) && node.name.text === 'process' && node.expression.getText() === 'globalThis');
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'env' && isProcess(node.expression)) found = true;
    if (
      ts.isElementAccessExpression(node) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === 'env' &&
      isProcess(node.expression)
    ) {
      found = true;
    }
    if (!found) ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

describe('reading the environment', () => {
  it('finds the reads of process.env in the CLI, which hands the environment down', () => {
    const readers = sourceFiles()
      .filter(readsProcessEnv)
      .map((file) => file.path);
    expect(readers).toContain('cli/main.ts');
    expect(readers).toContain('cli/run-config.ts');
  });

  it('leaves process.env to src/cli/: core and every other folder get what they need passed down', () => {
    const readers = sourceFiles()
      .filter((file) => !file.path.startsWith('cli/') && readsProcessEnv(file))
      .map((file) => file.path);
    expect(readers).toEqual([]);
  });
});
