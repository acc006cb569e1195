import { z } from 'zod';
import { fieldPathProblem, forbiddenSegmentMessage } from '../core/field-path.js';

function describeProblem(problem: string): string {
  return problem === forbiddenSegmentMessage ? problem : 'not a field path: write a.b.c or [a][b][c]';
}

/** A field path as users write it (`a.b.c` or `[a][b][c]`), checked at validation time. */
export const fieldPathSchema = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const problem = fieldPathProblem(path);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: describeProblem(problem) });
  });

/**
 * A map keyed by field paths. zod reports a key that fails its schema as "Invalid key in
 * record"; this passes the field-path message through, at that key's place. zod also drops a
 * `__proto__` key without a word (safe, but the user is never told), so the map as written is
 * checked for one first. (A preprocess: an intersection would let its other side "own" the
 * bad keys, and a plain pipe would hide the record from the JSON Schema.)
 */
export function fieldPathRecord<T extends z.ZodType>(valueSchema: T) {
  const record = z.record(fieldPathSchema, valueSchema, {
    error: (issue) => (issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined),
  });
  return z.preprocess((input, ctx) => {
    if (input !== null && typeof input === 'object' && Object.hasOwn(input, '__proto__')) {
      ctx.addIssue({ code: 'custom', path: ['__proto__'], message: forbiddenSegmentMessage, input });
    }
    return input;
  }, record);
}
