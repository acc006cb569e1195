/**
 * The rows of an options table, read from a component's JSON Schema (generated from its zod
 * schema, as docs/pipeline.schema.json is): each option with its type, default and
 * description. A nested map's options follow it as `parent.child`; a nested choice by `type`
 * (`auth: basic | aws_sigv4`) lists each variant's options under `parent (type: x).child`.
 */

import { draft07 } from '../config/json-schema.js';
import { conditionSchema } from '../filters/condition.js';

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

/** The description the condition schema carries into the JSON Schema, which tells a condition `$ref` apart. */
const CONDITION = draft07(conditionSchema).description;

/** A `$ref` straight or wrapped in `allOf` (draft-07 keeps a description beside it that way). */
function refOf(schema: JsonSchema): string | undefined {
  if (typeof schema.$ref === 'string') return schema.$ref;
  const [first] = Array.isArray(schema.allOf) ? schema.allOf : [];
  return isSchema(first) && typeof first.$ref === 'string' ? first.$ref : undefined;
}

/**
 * What a `$ref` points at, named: a condition (every `when`, and all/any/not inside one), or a
 * JSON value (mutate's `add`, recursive through lists and maps). `#` is the root itself (the
 * conditions page); others are the root's `definitions`. Another recursive schema is refused,
 * so a new one gets its name here rather than a wrong one on its page.
 */
function refName(ref: string, root: JsonSchema): string {
  const definitions = isSchema(root.definitions) ? root.definitions : {};
  const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
  const target =
    ref === '#' ? root : name !== undefined && Object.hasOwn(definitions, name) ? definitions[name] : undefined;
  if (!isSchema(target)) throw new Error(`${ref} is not in the schema's definitions`);
  if (typeof CONDITION === 'string' && target.description === CONDITION) return 'condition';
  if (Array.isArray(target.anyOf) && target.properties === undefined) return 'any JSON value';
  throw new Error(`${ref} is a recursive schema option-rows.ts has no name for`);
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

/**
 * A schema's type in words: `integer ≥ 1`, `list of string`, `"s3"`, `condition`. `root` is the
 * schema its `$ref`s resolve against (the component's whole JSON Schema).
 */
export function typeOf(schema: JsonSchema, root: JsonSchema = schema): string {
  const ref = refOf(schema);
  if (ref !== undefined) return refName(ref, root);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const variants = variantsOf(schema);
  if (variants.length > 0) {
    const typed = variants.map((v) =>
      isSchema(v.properties) && isSchema(v.properties.type) ? v.properties.type.const : undefined,
    );
    if (typed.every((t) => t !== undefined)) return `map, by type: ${typed.map((t) => JSON.stringify(t)).join(', ')}`;
    return [...new Set(variants.map((variant) => typeOf(variant, root)))].join(' or ');
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type;
  switch (type) {
    case 'string':
      return schema.format === 'uri' ? 'URL' : typeof schema.format === 'string' ? `${schema.format} string` : 'string';
    case 'integer':
    case 'number':
      return `${type}${bounds(schema)}`;
    case 'array':
      return isSchema(schema.items) ? `list of ${typeOf(schema.items, root)}` : 'list';
    case 'object':
      if (isSchema(schema.additionalProperties) && !isSchema(schema.properties)) {
        return `map of ${typeOf(schema.additionalProperties, root) || 'any value'}`;
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

/**
 * The rows of an object schema's options, nested maps flattened under their parent's name;
 * `root` is the whole schema its `$ref`s resolve against.
 */
export function optionRows(schema: JsonSchema, prefix = '', root: JsonSchema = schema): OptionRow[] {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const rows: OptionRow[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (!isSchema(value)) continue;
    const name = `${prefix}${key}`;
    rows.push({
      name,
      type: typeOf(value, root),
      default: required.has(key) ? 'required' : value.default === undefined ? '' : JSON.stringify(value.default),
      description: describe(value),
      deprecated: value.deprecated === true,
    });
    if (refOf(value)) continue;
    if (isSchema(value.properties)) rows.push(...optionRows(value, `${name}.`, root));
    for (const variant of variantsOf(value)) {
      const tag =
        isSchema(variant.properties) && isSchema(variant.properties.type) ? variant.properties.type.const : undefined;
      if (tag === undefined) continue;
      const nested = optionRows(variant, `${name} (type: ${String(tag)}).`, root);
      rows.push(...nested.filter((row) => !row.name.endsWith(').type')));
    }
  }
  return rows;
}
