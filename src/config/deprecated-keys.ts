import type { z } from 'zod';
import { type Deprecation, deprecationOf } from '../core/deprecation.js';
import { defOf, resolveSchema } from './schema-walk.js';

/** One use of a deprecated key in a file's data. */
export interface DeprecatedUse {
  /** Path of the map that holds the key. */
  parent: PropertyKey[];
  key: string;
  value: unknown;
  deprecation: Deprecation;
  /** The replacement key is set in the same map too. */
  alsoReplaced: boolean;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every deprecated key `data` uses, following the schema (and its unions by `type`) down the data. */
export function deprecatedKeysIn(root: z.ZodType, data: unknown): DeprecatedUse[] {
  const found: DeprecatedUse[] = [];
  const walk = (schema: z.ZodType | undefined, value: unknown, path: PropertyKey[]): void => {
    if (!schema) return;
    const def = defOf(resolveSchema(schema, value));
    if (def.type === 'object' && isMap(value)) {
      for (const [key, child] of Object.entries(value)) {
        const field = def.shape?.[key];
        const deprecation = field ? deprecationOf(field) : undefined;
        if (deprecation)
          found.push({ parent: path, key, value: child, deprecation, alsoReplaced: deprecation.use in value });
        walk(field, child, [...path, key]);
      }
    } else if (def.type === 'array' && Array.isArray(value)) {
      value.forEach((child, index) => {
        walk(def.element, child, [...path, index]);
      });
    } else if (def.type === 'record' && isMap(value)) {
      const valueType = (def as { valueType?: z.ZodType }).valueType;
      for (const [key, child] of Object.entries(value)) walk(valueType, child, [...path, key]);
    }
  };
  walk(root, data, []);
  return found;
}
