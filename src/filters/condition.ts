/**
 * Conditions: small predicates over a document, used by filters (`when`) and by the
 * pipeline to route events to outputs. Compiled once at build time into a closure.
 */
import { z } from 'zod';
import type { Doc } from '../core/event.js';
import { getField, parseFieldPath } from '../core/field-path.js';
import { fieldPathSchema } from './field-path-schema.js';
import { FilterBuildError } from './filter-build-error.js';

export type ConditionValue = string | number | boolean | null;

/** Exactly one key is set; the schema enforces it. */
export interface Condition {
  equals?: { field: string; value: ConditionValue };
  in?: { field: string; values: ConditionValue[] };
  matches?: { field: string; pattern: string; case_insensitive?: boolean };
  exists?: string;
  gt?: NumericComparison;
  gte?: NumericComparison;
  lt?: NumericComparison;
  lte?: NumericComparison;
  between?: { field: string; min: number; max: number };
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}

/** A numeric bound: holds only for a field that is a JSON number, never for a numeric string. */
export interface NumericComparison {
  field: string;
  value: number;
}

export type DocPredicate = (doc: Doc) => boolean;

const conditionValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const conditionKeys = [
  'equals',
  'in',
  'matches',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'all',
  'any',
  'not',
] as const;

const numericOperators = { gt: 'greater than', gte: 'at least', lt: 'less than', lte: 'at most' } as const;
type NumericOperator = keyof typeof numericOperators;

function comparisonSchema(operator: NumericOperator) {
  return z
    .strictObject({
      field: fieldPathSchema.describe('Field path holding a number, e.g. elb_status_code'),
      value: z.number().describe('The bound, a number (a quoted "500" is refused)'),
    })
    .optional()
    .describe(
      `Holds when the field is a number ${numericOperators[operator]} the value; a string field (even "503"), null or a missing field never holds`,
    );
}

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      equals: z
        .strictObject({
          field: fieldPathSchema.describe('Field path to compare, e.g. elb_status_code or [httpRequest][country]'),
          value: conditionValueSchema.describe(
            'Value to compare with; a number and its decimal string compare equal (404 and "404")',
          ),
        })
        .optional()
        .describe('Holds when the field equals the value'),
      in: z
        .strictObject({
          field: fieldPathSchema.describe('Field path to look up'),
          values: z.array(conditionValueSchema).min(1).describe('Values the field may take'),
        })
        .optional()
        .describe('Holds when the field equals one of the values'),
      matches: z
        .strictObject({
          field: fieldPathSchema.describe(
            'Field path whose value (a string, or a number or boolean as text) is tested',
          ),
          pattern: z
            .string()
            .refine(isRegExp, { message: 'not a valid JavaScript regular expression' })
            .describe('JavaScript regular expression, unanchored unless it uses ^ and $'),
          case_insensitive: z.boolean().optional().describe('Match ignoring case (default false)'),
        })
        .optional()
        .describe('Holds when the field matches the regular expression'),
      exists: fieldPathSchema.optional().describe('Holds when the field is present and not null'),
      gt: comparisonSchema('gt'),
      gte: comparisonSchema('gte'),
      lt: comparisonSchema('lt'),
      lte: comparisonSchema('lte'),
      between: z
        .strictObject({
          field: fieldPathSchema.describe('Field path holding a number, e.g. elb_status_code'),
          min: z.number().describe('Lowest value that holds (inclusive)'),
          max: z.number().describe('Highest value that holds (inclusive)'),
        })
        .refine((range) => range.min <= range.max, { message: 'min must not be greater than max' })
        .optional()
        .describe('Holds when the field is a number from min to max, both included (500 to 599: any 5xx)'),
      all: z.array(conditionSchema).min(1).optional().describe('Holds when every listed condition holds'),
      any: z.array(conditionSchema).min(1).optional().describe('Holds when at least one listed condition holds'),
      not: conditionSchema.optional().describe('Holds when the nested condition does not hold'),
    })
    .superRefine((value, ctx) => {
      const set = conditionKeys.filter((key) => value[key] !== undefined);
      if (set.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            set.length === 0
              ? `a condition needs exactly one of ${conditionKeys.join(', ')}`
              : `a condition takes exactly one of ${conditionKeys.join(', ')}; found ${set.join(', ')} (nest them under all: or any:)`,
        });
      }
    })
    .describe(
      'A condition on the event: equals, in, matches, exists, gt/gte/lt/lte/between on numbers, or all/any/not of other conditions',
    )
    // The JSON Schema's way to say "exactly one key", so editors flag two operators as well.
    .meta({ minProperties: 1, maxProperties: 1 }),
);

function sameValue(actual: unknown, expected: ConditionValue): boolean {
  if (actual === expected) return true;
  // YAML users write 404 or "404" interchangeably; parsers emit numbers for numeric fields.
  if (expected === null || actual === null || actual === undefined) return false;
  const kind = typeof actual;
  if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return false;
  return String(actual) === String(expected);
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

const compare: Record<NumericOperator, (actual: number, bound: number) => boolean> = {
  gt: (actual, bound) => actual > bound,
  gte: (actual, bound) => actual >= bound,
  lt: (actual, bound) => actual < bound,
  lte: (actual, bound) => actual <= bound,
};

/**
 * Numbers only, by design: parsers emit numeric fields as numbers, and guessing at strings
 * would make "10" < "9" questions depend on a field's spelling in one record.
 */
function compileNumeric(condition: Condition): DocPredicate | undefined {
  for (const operator of Object.keys(numericOperators) as NumericOperator[]) {
    const comparison = condition[operator];
    if (comparison === undefined) continue;
    const path = parseFieldPath(comparison.field);
    const test = compare[operator];
    const bound = comparison.value;
    return (doc) => {
      const actual = getField(doc, path);
      return typeof actual === 'number' && test(actual, bound);
    };
  }
  if (condition.between !== undefined) {
    const path = parseFieldPath(condition.between.field);
    const { min, max } = condition.between;
    return (doc) => {
      const actual = getField(doc, path);
      return typeof actual === 'number' && actual >= min && actual <= max;
    };
  }
  return undefined;
}

/** Compiles a validated condition into a fast predicate: paths parsed and regexes built once. */
export function compileCondition(condition: Condition): DocPredicate {
  const numeric = compileNumeric(condition);
  if (numeric !== undefined) return numeric;
  if (condition.equals !== undefined) {
    const path = parseFieldPath(condition.equals.field);
    const expected = condition.equals.value;
    return (doc) => sameValue(getField(doc, path), expected);
  }
  if (condition.in !== undefined) {
    const path = parseFieldPath(condition.in.field);
    const values = condition.in.values;
    const exact = new Set<unknown>(values);
    return (doc) => {
      const actual = getField(doc, path);
      if (exact.has(actual)) return true;
      return values.some((expected) => sameValue(actual, expected));
    };
  }
  if (condition.matches !== undefined) {
    const path = parseFieldPath(condition.matches.field);
    const regex = new RegExp(condition.matches.pattern, condition.matches.case_insensitive ? 'i' : '');
    return (doc) => {
      const text = asText(getField(doc, path));
      return text !== undefined && regex.test(text);
    };
  }
  if (condition.exists !== undefined) {
    const path = parseFieldPath(condition.exists);
    return (doc) => {
      const value = getField(doc, path);
      return value !== undefined && value !== null;
    };
  }
  if (condition.all !== undefined) {
    const parts = condition.all.map(compileCondition);
    return (doc) => parts.every((part) => part(doc));
  }
  if (condition.any !== undefined) {
    const parts = condition.any.map(compileCondition);
    return (doc) => parts.some((part) => part(doc));
  }
  if (condition.not !== undefined) {
    const inner = compileCondition(condition.not);
    return (doc) => !inner(doc);
  }
  throw new FilterBuildError(`a condition needs exactly one of ${conditionKeys.join(', ')}`, {
    condition: JSON.stringify(condition),
  });
}
