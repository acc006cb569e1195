/**
 * A test file's zod issues as problems at file:line:col, in the words `sluice validate` uses for
 * pipeline files: the same position machinery, issue texts and did-you-mean (src/config/).
 */
import type { z } from 'zod';
import { describeIssue } from '../config/describe-issue.js';
import { knownKeysAt } from '../config/schema-walk.js';
import { formatPath, keyPosition, type PositionedFile, positionOf } from '../config/yaml-position.js';
import { closest } from '../core/did-you-mean.js';
import type { ConfigProblem } from '../core/errors.js';

export function issueProblems(
  issues: readonly z.core.$ZodIssue[],
  parsed: PositionedFile,
  schema: z.ZodType,
  data: unknown,
): ConfigProblem[] {
  // An object with an unknown key also fails its "one of" rule; the unknown key is the cause.
  const unknownAt = new Set(issues.filter((i) => i.code === 'unrecognized_keys').map((i) => formatPath(i.path)));
  return issues
    .filter((issue) => !(issue.code === 'custom' && unknownAt.has(formatPath(issue.path))))
    .flatMap((issue) => problemsOfIssue(issue, parsed, schema, data));
}

function problemsOfIssue(
  issue: z.core.$ZodIssue,
  parsed: PositionedFile,
  schema: z.ZodType,
  data: unknown,
): ConfigProblem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, path, data);
    return issue.keys.map((key) => {
      const suggestion = closest(key, known);
      const allowed = known.length > 0 && !suggestion ? `; allowed keys: ${known.join(', ')}` : '';
      return {
        ...keyPosition(parsed, path, key),
        path: formatPath([...path, key]),
        message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}${allowed}`,
      };
    });
  }
  const value = valueAt(data, path);
  const json = JSON.stringify(value) ?? String(value);
  const shown = json.length > 80 ? `${json.slice(0, 77)}...` : json;
  if (path.length === 0 && issue.code === 'invalid_type') {
    return [
      { ...positionOf(parsed, path), path: '', message: 'expected a map with a "tests:" list at the top of the file' },
    ];
  }
  return [{ ...positionOf(parsed, path), path: formatPath(path), message: describeIssue(issue, { value, shown }) }];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
