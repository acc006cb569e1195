/**
 * `mutate`: small field edits. Operations run in a fixed order, whatever the order of keys in
 * the YAML: rename, copy, convert, lowercase, uppercase, add, remove. Use two mutate
 * filters when another order is needed.
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import type { Doc } from '../core/event.js';
import {
  type FieldPath,
  forbiddenSegmentMessage,
  getField,
  parseFieldPath,
  removeField,
  setField,
} from '../core/field-path.js';
import { addTag } from '../core/tags.js';
import { cloneJson } from './clone-json.js';
import { compileTemplate, templateProblem } from './compile-template.js';
import { type ConversionType, conversionTypes, convertValue, FAILED } from './convert-value.js';
import { fieldPathRecord, fieldPathSchema } from './field-path-schema.js';
import { guardWhen, whenSchema } from './filter-when.js';

/** A value for `add`: any JSON; strings are templates whose references must be field paths. */
const addValueSchema = z.json().superRefine((value, ctx) => {
  if (typeof value !== 'string') return;
  const problem = templateProblem(value);
  if (problem === undefined) return;
  ctx.addIssue({
    code: 'custom',
    message:
      problem === forbiddenSegmentMessage
        ? problem
        : 'a %{...} reference needs a field path, e.g. %{[httpRequest][uri]}',
  });
});

export const mutateFilterSchema = z
  .strictObject({
    type: z.literal('mutate'),
    rename: fieldPathRecord(fieldPathSchema)
      .optional()
      .describe('Moves fields: old path → new path (a missing field is left alone)'),
    copy: fieldPathRecord(fieldPathSchema).optional().describe('Copies fields: source path → target path'),
    convert: fieldPathRecord(z.enum(conversionTypes))
      .optional()
      .describe(
        'Converts field values: path → integer, float, boolean or string; arrays element by element; null stays null',
      ),
    lowercase: z.array(fieldPathSchema).optional().describe('String fields (or arrays of strings) to lowercase'),
    uppercase: z.array(fieldPathSchema).optional().describe('String fields (or arrays of strings) to uppercase'),
    add: fieldPathRecord(addValueSchema)
      .optional()
      .describe(
        'Sets fields: path → value; strings may reference fields as %{[a][b]} or %{a.b} (a lone reference keeps the value type)',
      ),
    remove: z.array(fieldPathSchema).optional().describe('Fields to remove'),
    tag_on_failure: z
      .string()
      .min(1)
      .default('_mutate_error')
      .describe('Tag added when a convert fails; the value is left unchanged and the event kept'),
    when: whenSchema,
  })
  .describe('Renames, copies, converts, cases, adds and removes fields');

export type MutateFilterConfig = z.infer<typeof mutateFilterSchema>;

type Step = (doc: Doc) => void;

function pairs(record: Record<string, string> | undefined): Array<[FieldPath, FieldPath]> {
  return Object.entries(record ?? {}).map(([from, to]) => [parseFieldPath(from), parseFieldPath(to)]);
}

function changeCase(doc: Doc, path: FieldPath, change: (text: string) => string): void {
  const value = getField(doc, path);
  if (typeof value === 'string') setField(doc, path, change(value));
  else if (Array.isArray(value))
    setField(
      doc,
      path,
      value.map((item) => (typeof item === 'string' ? change(item) : item)),
    );
}

export function createMutateFilter(config: MutateFilterConfig): Filter {
  const steps: Step[] = [];
  for (const [from, to] of pairs(config.rename)) {
    steps.push((doc) => {
      const value = getField(doc, from);
      if (value === undefined) return;
      removeField(doc, from);
      setField(doc, to, value);
    });
  }
  for (const [from, to] of pairs(config.copy)) {
    steps.push((doc) => {
      const value = getField(doc, from);
      if (value !== undefined) setField(doc, to, cloneJson(value));
    });
  }
  const tag = config.tag_on_failure;
  for (const [field, to] of Object.entries(config.convert ?? {}) as Array<[string, ConversionType]>) {
    const path = parseFieldPath(field);
    steps.push((doc) => {
      const value = getField(doc, path);
      if (value === undefined) return;
      const converted = convertValue(value, to);
      if (converted === FAILED) addTag(doc, tag);
      else setField(doc, path, converted);
    });
  }
  for (const field of config.lowercase ?? []) {
    const path = parseFieldPath(field);
    steps.push((doc) => changeCase(doc, path, (text) => text.toLowerCase()));
  }
  for (const field of config.uppercase ?? []) {
    const path = parseFieldPath(field);
    steps.push((doc) => changeCase(doc, path, (text) => text.toUpperCase()));
  }
  for (const [field, value] of Object.entries(config.add ?? {})) {
    const path = parseFieldPath(field);
    if (typeof value === 'string') {
      const render = compileTemplate(value);
      steps.push((doc) => setField(doc, path, render(doc)));
    } else if (typeof value === 'object' && value !== null) {
      steps.push((doc) => setField(doc, path, cloneJson(value)));
    } else {
      steps.push((doc) => setField(doc, path, value));
    }
  }
  for (const field of config.remove ?? []) {
    const path = parseFieldPath(field);
    steps.push((doc) => {
      removeField(doc, path);
    });
  }
  const filter: Filter = {
    type: 'mutate',
    apply(event) {
      for (const step of steps) step(event.doc);
      return true;
    },
  };
  return guardWhen(filter, config.when);
}
