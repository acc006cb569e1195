import { type Alias, isAlias, isScalar, type Node, visit, type YAMLError, type YAMLWarning } from 'yaml';
import type { ConfigProblem } from '../core/errors.js';
import { linePosition, type PositionedFile } from './yaml-position.js';

/** How many aliases (`*name`, merge keys included) a file may expand: a "billion laughs" file stops here. */
export const MAX_ALIAS_COUNT = 100;

/**
 * Only the first syntax error of a file is reported: the parser's later errors are mostly
 * consequences of the first (one unclosed bracket yields dozens).
 */
export function syntaxProblem(parsed: PositionedFile, error: YAMLError, text: string): ConfigProblem {
  const { line, col } = parsed.lineCounter.linePos(error.pos[0]);
  let message = `YAML syntax error: ${error.message.split('\n')[0]!}`;
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^[^:\s,}\]]+/.exec(text.slice(error.pos[0]))?.[0];
    message = `duplicate key${key ? ` "${key}"` : ''}: each key may appear once in a map`;
  }
  const lineText = text.split(/\r?\n/)[line - 1] ?? '';
  // `{` starts a flow map in YAML: `{ bucket: ${B} }` needs quotes around "${B}".
  if (/[[{].*\$\{/.test(lineText)) {
    message += '; inside { } or [ ], quote values that use ${VAR}: "${VAR}"';
  }
  return { file: parsed.displayName, line, column: col, path: '', message };
}

/** The first node of the document that `accept` holds for, in reading order. */
function firstNode(parsed: PositionedFile, accept: (node: Node, key: unknown) => boolean): Node | undefined {
  let found: Node | undefined;
  visit(parsed.doc, (key, node) => {
    if (found === undefined && node && typeof node === 'object' && 'range' in node && accept(node as Node, key)) {
      found = node as Node;
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}

/**
 * A file that parses but cannot become data: aliases that expand past MAX_ALIAS_COUNT (a
 * resource-exhaustion "billion laughs" document), an alias to an anchor not defined before it,
 * a merge key (`<<`) whose value is not a map. Reported at the alias or merge key concerned.
 */
export function compositionProblem(parsed: PositionedFile, error: unknown): ConfigProblem {
  const text = error instanceof Error ? error.message : String(error);
  let node: Node | undefined;
  let message: string;
  if (/alias count/i.test(text)) {
    node = firstNode(parsed, (candidate) => isAlias(candidate));
    message = `YAML aliases expand to too many values (more than ${MAX_ALIAS_COUNT} alias uses): a file like this can exhaust memory; write the values out or use fewer aliases`;
  } else if (/unresolved alias/i.test(text)) {
    const name = /: (\S+)$/.exec(text)?.[1];
    node = firstNode(parsed, (candidate) => isAlias(candidate) && (candidate as Alias).source === name);
    message = `YAML alias *${name ?? '?'} names no anchor defined before it (write &${name ?? 'name'} on an earlier value)`;
  } else if (/merge/i.test(text)) {
    // With merge keys on, the key `<<` is a scalar whose source is `<<` (its value is a symbol).
    node = firstNode(parsed, (candidate, key) => key === 'key' && isScalar(candidate) && candidate.source === '<<');
    message = `YAML merge key "<<" must name a map or a list of maps (${text})`;
  } else {
    message = `YAML error: ${text}`;
  }
  return { ...linePosition(parsed, node), path: '', message };
}

/** A YAML warning (an unknown tag such as `!Ref`, read as a plain string) at its place in the file. */
export function yamlWarning(parsed: PositionedFile, warning: YAMLWarning): ConfigProblem {
  const { line, col } = parsed.lineCounter.linePos(warning.pos[0]);
  return { file: parsed.displayName, line, column: col, path: '', message: `YAML: ${warning.message.split('\n')[0]!}` };
}
