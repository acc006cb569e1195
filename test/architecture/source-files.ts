import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** The repository root and its src/ folder. */
export const repoRoot = join(import.meta.dirname, '../..');
export const srcRoot = join(repoRoot, 'src');

/** One TypeScript file under src/, parsed once. */
export interface SourceFile {
  /** Path relative to src/, with `/` separators: `pipeline/record-loop.ts`. */
  readonly path: string;
  readonly text: string;
  readonly ast: ts.SourceFile;
}

let cached: readonly SourceFile[] | undefined;

/** Every `.ts` file under src/, sorted by path. */
export function sourceFiles(): readonly SourceFile[] {
  if (cached) return cached;
  const files: SourceFile[] = [];
  for (const entry of readdirSync(srcRoot, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const path = entry.split('\\').join('/');
    const text = readFileSync(join(srcRoot, entry), 'utf8');
    files.push({ path, text, ast: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true) });
  }
  cached = files.sort((a, b) => a.path.localeCompare(b.path));
  return cached;
}

/**
 * Every module a file names: static imports and re-exports (type-only ones too), `import()`,
 * and `require.resolve('…')` (also on a `createRequire(…)`: how a package's data file is found).
 */
export function moduleSpecifiers(file: SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && isModuleCall(node.expression)) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteralLike(first)) found.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

function isModuleCall(callee: ts.Expression): boolean {
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'resolve') return false;
  const target = callee.expression;
  const isRequire = ts.isIdentifier(target) && target.text === 'require';
  const isCreatedRequire =
    ts.isCallExpression(target) && ts.isIdentifier(target.expression) && target.expression.text === 'createRequire';
  return isRequire || isCreatedRequire;
}

/** The file a relative specifier names, relative to src/ (`.js` written, `.ts` on disk). */
export function resolveRelative(from: SourceFile, specifier: string): string {
  const target = join(srcRoot, from.path, '..', specifier).replace(/\.js$/, '.ts');
  return relative(srcRoot, target).split('\\').join('/');
}

/** The npm package a bare specifier names: `@scope/name` or `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}
