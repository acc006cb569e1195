import { isScalar, type Node } from 'yaml';
import type { z } from 'zod';
import { closest } from '../core/did-you-mean.js';
import type { ConfigProblem } from '../core/errors.js';
import { describeIssue, type IssueValue } from './describe-issue.js';
import type { Substitution } from './interpolate.js';
import { logstashHint } from './logstash-names.js';
import { configSchema } from './schema.js';
import { knownKeysAt } from './schema-walk.js';
import { formatPath, keyPosition, type PositionedFile, positionOf } from './yaml-position.js';

/** A config file as read: its YAML document, and which scalars came from the environment. */
export interface ParsedFile extends PositionedFile {
  file: string;
  /** Scalars that used `${VAR}`, with the variables they used (to name them instead of echoing values). */
  interpolated: Map<Node, Substitution[]>;
}

/**
 * The schema's issues with one file, as positioned problems. `earlier` are the file's problems
 * found before the schema: a missing variable leaves an empty value behind, and its own message
 * says it all, so the schema's complaint about the empty value at the same place is left out.
 */
export function schemaProblems(
  issues: z.core.$ZodIssue[],
  parsed: ParsedFile,
  data: unknown,
  earlier: readonly ConfigProblem[],
): ConfigProblem[] {
  const missingAt = new Set(earlier.map((problem) => `${problem.line}:${problem.column}`));
  return problemsOf(issues, parsed, data).filter((problem) => !missingAt.has(`${problem.line}:${problem.column}`));
}

/** The value at `path` and how to show it: its JSON, or the variables it came from. */
function issueValue(parsed: ParsedFile, path: readonly PropertyKey[]): IssueValue {
  const node = parsed.doc.getIn(path as unknown[], true) as Node | undefined;
  const value = path.length === 0 ? parsed.doc.toJS() : parsed.doc.getIn(path as unknown[]);
  const substitutions = node ? parsed.interpolated.get(node) : undefined;
  if (substitutions) {
    const names = substitutions.map((s) => `\${${s.name}}`).join(', ');
    return {
      value,
      shown: `the value of ${names}`,
      fromEnv: true,
      ...(isScalar(node) && node.type === 'PLAIN' ? { plainFromEnv: substitutions.map((s) => s.name) } : {}),
    };
  }
  const json = JSON.stringify(value) ?? String(value);
  return { value, shown: json.length > 80 ? `${json.slice(0, 77)}...` : json };
}

function problemsOf(issues: z.core.$ZodIssue[], parsed: ParsedFile, data: unknown): ConfigProblem[] {
  // An object with an unknown key usually also fails a rule about its keys ("exactly one of ...");
  // the unknown key is the cause, so the rule's message at the same place is left out.
  const unknownAt = new Set(issues.filter((i) => i.code === 'unrecognized_keys').map((i) => formatPath(i.path)));
  return issues
    .filter((issue) => !(issue.code === 'custom' && unknownAt.has(formatPath(issue.path))))
    .flatMap((issue) => problemsOfIssue(issue, parsed, data));
}

function problemsOfIssue(issue: z.core.$ZodIssue, parsed: ParsedFile, data: unknown): ConfigProblem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(configSchema, path, data);
    return issue.keys.map((key) => {
      const logstash = logstashHint(key);
      const suggestion = logstash ? undefined : closest(key, known);
      const hint = logstash ? ` (${logstash})` : suggestion ? ` (did you mean "${suggestion}"?)` : '';
      return {
        ...keyPosition(parsed, path, key),
        path: formatPath([...path, key]),
        message: `unknown key "${key}"${hint}${known.length > 0 && !suggestion ? `; allowed keys: ${known.join(', ')}` : ''}`,
      };
    });
  }
  const position = positionOf(parsed, path);
  const found = issueValue(parsed, path);
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const options = (issue.options as unknown[]).map(String);
    if (found.value === undefined) {
      return [
        { ...position, path: formatPath(path), message: `missing "type"; expected one of: ${options.join(', ')}` },
      ];
    }
    const suggestion = typeof found.value === 'string' ? closest(found.value, options) : undefined;
    return [
      {
        ...position,
        path: formatPath(path),
        message: `unknown type ${found.shown}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of: ${options.join(', ')}`,
      },
    ];
  }
  if (path.length === 0 && issue.code === 'invalid_type') {
    return [
      {
        ...position,
        path: '',
        message: `expected a map with a "pipelines:" list at the top of the file, got ${describeKindShort(found.value)}`,
      },
    ];
  }
  return [{ ...position, path: formatPath(path), message: describeIssue(issue, found) }];
}

function describeKindShort(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : typeof value;
}
