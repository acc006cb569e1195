import { z } from 'zod';
import { type FieldPath, parseFieldPath } from '../core/field-path.js';

/** Parses a path, or returns undefined when it is not one (the schema reports it). */
function tryParseFieldPath(path: string): FieldPath | undefined {
  try {
    return parseFieldPath(path);
  } catch {
    return undefined;
  }
}

/** A field path as users write it (`a.b.c` or `[a][b][c]`), checked at validation time. */
export const fieldPathSchema = z
  .string()
  .min(1)
  .refine((path) => tryParseFieldPath(path) !== undefined, {
    message: 'not a field path: write a.b.c or [a][b][c]',
  });
