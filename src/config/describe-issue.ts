import type { z } from 'zod';
import { closest } from '../core/did-you-mean.js';

/**
 * Turns one zod issue into a message a person can act on. zod's own texts ("Invalid input:
 * expected string, received number", "Too small: expected number to be >0") say what the
 * schema wanted in schema terms; these say it in YAML terms and show what was found.
 * `shown` renders the offending value: a value that came from `${VAR}` is named, never echoed,
 * because it may be a secret.
 */
export interface IssueValue {
  /** The value found at the issue's path (undefined when the key is missing). */
  value: unknown;
  /** How to show the value: its JSON, or "the value of ${VAR}" when it was interpolated. */
  shown: string;
  /** Set when the value came from `${VAR}`. */
  fromEnv?: boolean;
  /** Set when the value came from a plain (unquoted) scalar that used `${VAR}`: the variables' names. */
  plainFromEnv?: string[];
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a map (key: value)',
  array: 'a list',
  null: 'null',
};

/** What a value is, in YAML words: "the number 5", "a list", "nothing (null)". */
export function describeKind(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return 'a map';
    default:
      return typeof value;
  }
}

function expectedName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function plural(count: number | bigint, word: string): string {
  return `${count} ${word}${Number(count) === 1 ? '' : 's'}`;
}

function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean }, small: boolean): string {
  const limit = String(small ? issue.minimum : issue.maximum);
  if (small) return issue.inclusive ? `at least ${limit}` : `greater than ${limit}`;
  return issue.inclusive ? `at most ${limit}` : `less than ${limit}`;
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, found: IssueValue): string {
  const small = issue.code === 'too_small';
  const limit = (small ? issue.minimum : (issue as z.core.$ZodIssueTooBig).maximum) as number;
  const word = small ? 'at least' : 'at most';
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `needs ${word} ${plural(limit, 'item')}, got ${Array.isArray(found.value) ? found.value.length : 0}`;
    case 'string':
      return `needs ${word} ${plural(limit, 'character')}${
        typeof found.value === 'string' && found.value.length === 0 ? ', got an empty string' : ''
      }`;
    default:
      return `must be ${bound(issue as never, small)}, got ${found.shown}`;
  }
}

const FORMAT_HINTS: Record<string, string> = {
  url: 'not a valid URL; write the scheme and host, e.g. https://search.example.com:443',
  datetime: 'not an ISO 8601 timestamp, e.g. 2024-01-31T00:00:00Z',
  date: 'not an ISO 8601 date, e.g. 2024-01-31',
};

function formatMessage(issue: z.core.$ZodIssueInvalidStringFormat, found: IssueValue): string {
  // A schema's own message (e.g. "use lowercase letters, ...") beats a generic one.
  if (!issue.message.startsWith('Invalid')) return `${issue.message}, got ${found.shown}`;
  const hint = FORMAT_HINTS[issue.format];
  if (hint) return `${found.shown} is ${hint}`;
  if (issue.format === 'regex' && 'pattern' in issue) return `${found.shown} does not match ${String(issue.pattern)}`;
  return `${found.shown} is not a valid ${issue.format}`;
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion, found: IssueValue): string {
  // Each option failed; say what each wanted, once ("an ISO 8601 timestamp or date").
  const wanted = new Set<string>();
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    if (first.code === 'invalid_type') wanted.add(expectedName(first.expected));
    else if (first.code === 'invalid_format')
      wanted.add(
        first.format === 'datetime'
          ? 'an ISO 8601 timestamp'
          : first.format === 'date'
            ? 'an ISO 8601 date'
            : `a ${first.format}`,
      );
    else if (first.code === 'invalid_value') for (const value of first.values) wanted.add(JSON.stringify(value));
    else wanted.add(first.message);
  }
  if (wanted.size === 0) return `${found.shown} is not allowed here`;
  const options = [...wanted];
  const last = options.pop()!;
  return `expected ${options.length > 0 ? `${options.join(', ')} or ${last}` : last}, got ${found.shown}`;
}

/** Keys whose value is a component chosen by `type`; a bare `parser: alb` there gets an example. */
const COMPONENT_KEYS = new Set(['source', 'parser', 'checkpoint', 'dead_letter']);

function componentSlot(path: readonly PropertyKey[]): string | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (typeof last === 'string' && COMPONENT_KEYS.has(last) && typeof parent === 'number') return `${last}: `;
  if (typeof last === 'number' && (parent === 'filters' || parent === 'outputs')) return '- ';
  return undefined;
}

export function describeIssue(issue: z.core.$ZodIssue, found: IssueValue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (found.value === undefined) return `missing required key "${String(issue.path[issue.path.length - 1] ?? '')}"`;
      const expected = expectedName(issue.expected);
      if (issue.expected === 'int' && typeof found.value === 'number') return `expected an integer, got ${found.shown}`;
      // YAML types unquoted 12345 and true; a string field wants them quoted.
      const typed = typeof found.value === 'number' || typeof found.value === 'boolean';
      const quoted = found.plainFromEnv ? found.plainFromEnv.map((name) => `\${${name}}`).join('') : found.shown;
      const quote = issue.expected === 'string' && typed ? ` (quote it to keep it text: "${quoted}")` : '';
      const slot = componentSlot(issue.path);
      const example =
        issue.expected === 'object' && slot && typeof found.value === 'string' && !found.fromEnv
          ? ` (write e.g. ${slot}{ type: ${found.value} })`
          : '';
      return `expected ${expected}, got ${describeKind(found.value)}${quote}${example}`;
    }
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue, found);
    case 'invalid_format':
      return formatMessage(issue, found);
    case 'invalid_value': {
      const options = issue.values.map(String);
      const suggestion = typeof found.value === 'string' ? closest(found.value, options) : undefined;
      return `${found.shown} is not allowed${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of: ${options.join(', ')}`;
    }
    case 'invalid_union':
      return unionMessage(issue, found);
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}, got ${found.shown}`;
    case 'custom':
      // Refinements on one value say what it is not ("not a valid regular expression"): show the value.
      return typeof found.value === 'string' && issue.message.startsWith('not ')
        ? `${found.shown} is ${issue.message}`
        : issue.message;
    default:
      return issue.message;
  }
}
