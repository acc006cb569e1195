/**
 * The rows of an options table, read from a component's JSON Schema (generated from its zod
 * schema, as docs/pipeline.schema.json is): each option with its type, default and
 * description. A nested map's options follow it as `parent.child`; a nested choice by `type`
 * (`auth: basic | aws_sigv4`) lists each variant's options under `parent (type: x).child`.
 */

type JsonSchema = Record<string, unknown>;

export interface OptionRow {
  name: string;
  type: string;
  /** `required`, a default as JSON, or '' when optional without one. */
  default: string;
  description: string;
  deprecated: boolean;
}

const isSchema = (value: unknown): value is JsonSchema =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A `$ref` straight or wrapped in `allOf` (draft-07 keeps a description beside it that way). */
function refOf(schema: JsonSchema): string | undefined {
  if (typeof schema.$ref === 'string') return schema.$ref;
  const [first] = Array.isArray(schema.allOf) ? schema.allOf : [];
  return isSchema(first) && typeof first.$ref === 'string' ? first.$ref : undefined;
}

function variantsOf(schema: JsonSchema): JsonSchema[] {
  const options = schema.oneOf ?? schema.anyOf;
  return Array.isArray(options) ? options.filter(isSchema) : [];
}

function bounds(schema: JsonSchema): string {
  const parts: string[] = [];
  const max = schema.maximum;
  if (typeof schema.minimum === 'number') parts.push(`≥ ${schema.minimum}`);
  if (typeof schema.exclusiveMinimum === 'number') parts.push(`> ${schema.exclusiveMinimum}`);
  if (typeof max === 'number' && max < Number.MAX_SAFE_INTEGER) parts.push(`≤ ${max}`);
  if (typeof schema.exclusiveMaximum === 'number') parts.push(`< ${schema.exclusiveMaximum}`);
  return parts.length > 0 ? ` ${parts.join(', ')}` : '';
}

/** A schema's type in words: `integer ≥ 1`, `list of string`, `"s3"`, `condition`. */
export function typeOf(schema: JsonSchema): string {
  if (refOf(schema)) return 'condition';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const variants = variantsOf(schema);
  if (variants.length > 0) {
    const typed = variants.map((v) =>
      isSchema(v.properties) && isSchema(v.properties.type) ? v.properties.type.const : undefined,
    );
    if (typed.every((t) => t !== undefined)) return `map, by type: ${typed.map((t) => JSON.stringify(t)).join(', ')}`;
    return [...new Set(variants.map(typeOf))].join(' or ');
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type;
  switch (type) {
    case 'string':
      return schema.format === 'uri' ? 'URL' : typeof schema.format === 'string' ? `${schema.format} string` : 'string';
    case 'integer':
    case 'number':
      return `${type}${bounds(schema)}`;
    case 'array':
      return isSchema(schema.items) ? `list of ${typeOf(schema.items)}` : 'list';
    case 'object':
      if (isSchema(schema.additionalProperties) && !isSchema(schema.properties)) {
        return `map of ${typeOf(schema.additionalProperties) || 'any value'}`;
      }
      return 'map';
    case undefined:
      return 'any value';
    default:
      return String(type);
  }
}

function describe(schema: JsonSchema): string {
  return typeof schema.description === 'string' ? schema.description : '';
}

/** The rows of an object schema's options, nested maps flattened under their parent's name. */
export function optionRows(schema: JsonSchema, prefix = ''): OptionRow[] {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const rows: OptionRow[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (!isSchema(value)) continue;
    const name = `${prefix}${key}`;
    rows.push({
      name,
      type: typeOf(value),
      default: required.has(key) ? 'required' : value.default === undefined ? '' : JSON.stringify(value.default),
      description: describe(value),
      deprecated: value.deprecated === true,
    });
    if (refOf(value)) continue;
    if (isSchema(value.properties)) rows.push(...optionRows(value, `${name}.`));
    for (const variant of variantsOf(value)) {
      const tag =
        isSchema(variant.properties) && isSchema(variant.properties.type) ? variant.properties.type.const : undefined;
      if (tag === undefined) continue;
      const nested = optionRows(variant, `${name} (type: ${String(tag)}).`);
      rows.push(...nested.filter((row) => !row.name.endsWith(').type')));
    }
  }
  return rows;
}
