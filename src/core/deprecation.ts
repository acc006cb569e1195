import { z } from 'zod';

/** How a deprecated key is replaced. */
export interface Deprecation {
  /** The key to write instead, in the same map. */
  use: string;
  /** The deprecated value in the replacement's terms (ms to seconds), for the message. */
  convert?: (value: unknown) => unknown;
}

/** Schemas of deprecated keys: the loader warns wherever a file uses one (config/deprecated-keys.ts). */
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

/** The deprecation a key's schema was marked with, if any. */
export function deprecationOf(schema: z.ZodType): Deprecation | undefined {
  return deprecations.get(schema);
}
