import { z } from 'zod';
import { defOf, resolveSchema } from './schema-walk.js';

/** How a deprecated key is replaced. */
export interface Deprecation {
  /** The key to write instead, in the same map. */
  use: string;
  /** The deprecated value in the replacement's terms (ms to seconds), for the message. */
  convert?: (value: unknown) => unknown;
}

/** Schemas of deprecated keys: the loader warns wherever a file uses one (deprecatedKeysIn). */
const deprecations = z.registry<Deprecation>();

/**
 * Marks a key's schema as deprecated: it still works, the JSON Schema says `deprecated`
 * (editors strike it through), and loading a file that uses it gives a warning at its
 * position that names the replacement. Call it last, on the schema the object's shape holds.
 */
export function deprecated<T extends z.ZodType>(schema: T, deprecation: Deprecation): T {
  const marked = schema.meta({ ...(schema.meta() ?? {}), deprecated: true }) as T;
  deprecations.add(marked, deprecation);
  return marked;
}

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
        const deprecation = field ? deprecations.get(field) : undefined;
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
