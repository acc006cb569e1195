import type { z } from 'zod';

type AnySchema = z.ZodType;
export interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  innerType?: AnySchema;
  in?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  values?: unknown[];
  getter?: () => AnySchema;
}

export function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Peels wrappers (optional, default, pipe, lazy, ...) off a schema. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else break;
  }
  return current;
}

/** For a union, the option the data selects through its discriminator (or the first object option). */
function pickOption(schema: AnySchema, data: unknown): AnySchema | undefined {
  const def = defOf(schema);
  const options = def.options ?? [];
  const discriminator = def.discriminator;
  if (discriminator && data && typeof data === 'object') {
    const wanted = (data as Record<string, unknown>)[discriminator];
    for (const option of options) {
      const field = defOf(unwrap(option)).shape?.[discriminator];
      if (field && defOf(unwrap(field)).values?.includes(wanted)) return option;
    }
  }
  return options.find((option) => defOf(unwrap(option)).type === 'object');
}

/** The schema that describes `value`: wrappers peeled, unions resolved by the value's own `type`. */
export function resolveSchema(schema: AnySchema, value: unknown): AnySchema {
  let current = unwrap(schema);
  while (defOf(current).type === 'union') {
    const option = pickOption(current, value);
    if (!option) break;
    current = unwrap(option);
  }
  return current;
}

/**
 * The object keys a schema accepts at `path` inside `data`, following discriminated
 * unions by the data's own `type`. Used for "did you mean" on unknown keys.
 */
export function knownKeysAt(root: AnySchema, path: readonly PropertyKey[], data: unknown): string[] {
  let schema: AnySchema | undefined = root;
  let value: unknown = data;
  for (const segment of path) {
    if (!schema) return [];
    const current = resolveSchema(schema, value);
    const def = defOf(current);
    if (def.type === 'object') schema = def.shape?.[String(segment)];
    else if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = (def as { valueType?: AnySchema }).valueType;
    else return [];
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  if (!schema) return [];
  const final = resolveSchema(schema, value);
  return Object.keys(defOf(final).shape ?? {});
}
