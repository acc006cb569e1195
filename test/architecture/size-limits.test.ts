import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type SourceFile, sourceFiles } from './source-files.js';

/** The project's limits: a file or function past them has more than one role. */
const MAX_FILE_LINES = 320;
const MAX_FUNCTION_LINES = 80;

/**
 * Files and functions let past a limit for now (`src/<path>` or `src/<path> <function>`), each
 * with why, e.g. "split after h/sqs merge". An entry that is no longer past its limit fails the
 * test, so the list can only shrink. Empty: keep it so.
 */
const NOT_YET_SPLIT: Readonly<Record<string, string>> = {};

/** Lines of a file, as `wc -l` counts them (a last line without a newline counts too). */
function lineCount(text: string): number {
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') || text === '' ? newlines : newlines + 1;
}

type FunctionLike =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

function isFunctionLike(node: ts.Node): node is FunctionLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** A readable name: the declared one, else the variable, property or call it is given to. */
function nameOf(node: FunctionLike): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText();
  }
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText().slice(0, 40)})`;
  return '(anonymous)';
}

/** Every function-like node of a file with its length in lines, from its first token (not its comment) to its end. */
function functionLengths(file: SourceFile): { name: string; line: number; lines: number }[] {
  const found: { name: string; line: number; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) && node.body) {
      const start = file.ast.getLineAndCharacterOfPosition(node.getStart(file.ast)).line;
      const end = file.ast.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ name: nameOf(node), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

/** NOT_YET_SPLIT entries of one kind (files, or functions) that are no longer past their limit. */
function stale(offenders: readonly string[], ofKind: (name: string) => boolean): string[] {
  return Object.keys(NOT_YET_SPLIT).filter((name) => ofKind(name) && !offenders.includes(name));
}

describe('size limits of src/', () => {
  it('finds the files and functions it measures', () => {
    const files = sourceFiles();
    expect(files.map((file) => file.path)).toContain('pipeline/pipeline-runner.ts');
    const runner = files.find((file) => file.path === 'pipeline/pipeline-runner.ts')!;
    expect(functionLengths(runner).map((fn) => fn.name)).toContain('run');
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
  });

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const over = sourceFiles()
      .map((file) => ({ name: `src/${file.path}`, lines: lineCount(file.text) }))
      .filter((file) => file.lines > MAX_FILE_LINES);
    expect(over.filter((file) => !(file.name in NOT_YET_SPLIT)).map((f) => `${f.name}: ${f.lines} lines`)).toEqual([]);
    expect(
      stale(
        over.map((file) => file.name),
        (name) => !name.includes(' '),
      ),
    ).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const over = sourceFiles().flatMap((file) =>
      functionLengths(file)
        .filter((fn) => fn.lines > MAX_FUNCTION_LINES)
        .map((fn) => ({ name: `src/${file.path} ${fn.name}`, line: fn.line, lines: fn.lines })),
    );
    expect(
      over.filter((fn) => !(fn.name in NOT_YET_SPLIT)).map((fn) => `${fn.name} (line ${fn.line}): ${fn.lines} lines`),
    ).toEqual([]);
    expect(
      stale(
        over.map((fn) => fn.name),
        (name) => name.includes(' '),
      ),
    ).toEqual([]);
  });
});
