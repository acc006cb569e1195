/**
 * The format of a pipeline test file (`sluice test`): sample input for a pipeline and what must
 * come out of it. docs/TESTING.md describes it; docs/pipeline-test.schema.json is generated from
 * this schema for editors.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../core/error-codes.js';
import { conditionSchema } from '../filters/condition.js';
import { fieldPathRecord } from '../filters/field-path-schema.js';

const inputKeys = ['lines', 'text', 'file'] as const;

const inputSchema = z
  .strictObject({
    lines: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Records, one string per line; they are joined with a newline after each, as a log file holds them'),
    text: z.string().optional().describe('The object as text, exactly (a block scalar `|` keeps its newlines)'),
    file: z
      .string()
      .min(1)
      .optional()
      .describe('A file whose bytes are the object, relative to the test file; gzip is detected as sluice run does'),
  })
  .superRefine((value, ctx) => {
    const set = inputKeys.filter((key) => value[key] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          set.length === 0
            ? 'an input needs one of lines, text or file'
            : `an input takes one of lines, text or file; found ${set.join(', ')}`,
      });
    }
  })
  .meta({ minProperties: 1, maxProperties: 1 })
  .describe('The object the case reads: lines, text or a file, framed and decompressed as the worker does');

/** An output named by its place in the pipeline's `outputs` (0 is the first) or by name (see docs/TESTING.md). */
export const outputReferenceSchema = z
  .union([z.int().min(0), z.string().min(1)])
  .describe(
    'An output: its index in the pipeline\'s outputs list (0 is the first), its index pattern (opensearch), its path (file), or "stdout"',
  );

const expectedEventSchema = z
  .strictObject({
    record: z.int().min(1).optional().describe('The record (line or JSON document, from 1) the event comes from'),
    fields: fieldPathRecord(z.unknown())
      .optional()
      .describe('Field path to its exact value (a map or list compares whole); fields not listed are not checked'),
    conditions: z
      .array(conditionSchema)
      .min(1)
      .optional()
      .describe('Conditions, as in `when:`, that must all hold on the event (exists, matches, gte, not, ...)'),
    outputs: z
      .array(outputReferenceSchema)
      .optional()
      .describe('Exactly the outputs the event is routed to (their `when` holds); [] when it goes to none'),
  })
  .describe('What one resulting event must hold; events are compared in order');

/** Codes a case can produce: a record's, or the object's (record 0). Outputs are not contacted. */
const errorCodes = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => {
  const { level, stage } = ERROR_CODES[code];
  return level !== 'pipeline' && stage !== 'sending';
}) as [ErrorCode, ...ErrorCode[]];

const expectedDeadLetterSchema = z
  .strictObject({
    record: z
      .int()
      .min(0)
      .describe('The record number (from 1); 0 for an entry about the whole object (quarantine, corrupt gzip)'),
    sub: z.int().min(0).optional().describe('The event within a record of several (CloudTrail) when only it failed'),
    code: z.enum(errorCodes).describe('The error code, e.g. ERR_RECORD_PARSE'),
    reason_matches: z
      .string()
      .refine(
        (pattern) => {
          try {
            new RegExp(pattern);
            return true;
          } catch {
            return false;
          }
        },
        { message: 'not a valid JavaScript regular expression' },
      )
      .optional()
      .describe('A regular expression the (redacted) reason must match'),
  })
  .describe('One dead-letter entry the case must produce');

const testCaseSchema = z
  .strictObject({
    name: z.string().min(1).describe('What the case shows; printed with its result'),
    pipeline: z
      .string()
      .min(1)
      .optional()
      .describe("The pipeline's id (default: the file's `pipeline`, or the config's only pipeline)"),
    key: z
      .string()
      .min(1)
      .optional()
      .describe("The object's key, for parsers that read it (default: the input file's name, else test.log)"),
    input: inputSchema,
    events: z
      .array(expectedEventSchema)
      .optional()
      .describe('Every event the input yields, in order: as many as listed, each holding what its entry says'),
    dropped: z
      .array(z.int().min(1))
      .optional()
      .describe('The record numbers of the events a filter dropped, in order; [] when none is dropped'),
    dead_letters: z
      .array(expectedDeadLetterSchema)
      .optional()
      .describe('Every dead-letter entry the input yields, in order; [] when there is none'),
  })
  .describe('One case: an input and what must come out of it. A key left out is not checked.');

export const testFileSchema = z
  .strictObject({
    config: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The pipeline config, a file or a folder, relative to this file (default: `sluice test --config`, else SLUICE_CONFIG)',
      ),
    pipeline: z.string().min(1).optional().describe('The pipeline id cases use when they name none'),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not an environment variable name'),
        z.union([z.string(), z.number(), z.boolean()]),
      )
      .optional()
      .describe(
        "Values for ${VAR} in the config that the environment leaves unset (a bucket name the test never contacts); the environment's own values win",
      ),
    tests: z.array(testCaseSchema).min(1).describe('The cases, run in order'),
  })
  .describe('Test cases for sluice pipelines, run by `sluice test` without contacting sources or outputs');

export type TestFileConfig = z.output<typeof testFileSchema>;
export type TestCaseConfig = TestFileConfig['tests'][number];
export type ExpectedEvent = NonNullable<TestCaseConfig['events']>[number];
export type ExpectedDeadLetter = NonNullable<TestCaseConfig['dead_letters']>[number];
export type OutputReference = z.output<typeof outputReferenceSchema>;
