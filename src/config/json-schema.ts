import { z } from 'zod';
import { configSchema } from './schema.js';

export type JsonSchema = Record<string, unknown>;

/** A value that uses the environment, e.g. `${POLL_SECONDS}` or `https://${HOST}:${PORT:-9200}`. */
const ENV_REFERENCE = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}' };

/** Keys that stay on the outside when a property is widened, so editors still show them. */
const ANNOTATIONS = ['description', 'default', 'title', 'examples', 'deprecated', 'deprecationMessage'];

/**
 * A number, boolean or constrained string may be written as `${VAR}` and only becomes valid
 * after interpolation; the editor must not flag it. Enumerations and `type` constants stay
 * strict: they drive completion.
 */
function allowEnvReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowEnvReferences);
  if (node === null || typeof node !== 'object') return node;
  const schema: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties` and `definitions` map names to schemas; their keys are not schema keywords.
    schema[key] =
      key === 'properties' || key === 'definitions'
        ? Object.fromEntries(
            Object.entries(value as JsonSchema).map(([name, inner]) => [name, allowEnvReferences(inner)]),
          )
        : allowEnvReferences(value);
  }
  const type = schema.type;
  const widen =
    type === 'number' ||
    type === 'integer' ||
    type === 'boolean' ||
    (type === 'string' && (schema.pattern !== undefined || schema.format !== undefined));
  // yaml-language-server warns on a key whose schema has `deprecationMessage` (VS Code's
  // keyword); draft-07 itself has no `deprecated`.
  if (schema.deprecated === true && typeof schema.description === 'string') {
    schema.deprecationMessage = schema.description;
  }
  if (!widen) return schema;
  const outer: JsonSchema = {};
  const inner: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) (ANNOTATIONS.includes(key) ? outer : inner)[key] = value;
  return { ...outer, anyOf: [inner, ENV_REFERENCE] };
}

/**
 * The JSON Schema of a pipeline file, generated from the same zod definitions the loader
 * validates with, so editors (yaml-language-server) complete and check what sluice accepts.
 * `io: 'input'` describes what users write: keys with defaults are optional. Rules zod checks
 * in code (valid regular expressions, field paths, keys that go together) are left to
 * `sluice validate`.
 *
 * Draft-07: the draft yaml-language-server (and VS Code's JSON service under it) validates
 * with; it reads newer drafts only in part, and ajv's default is draft-07 too.
 */
export function pipelineJsonSchema(): JsonSchema {
  const { $schema, ...rest } = draft07(configSchema);
  return {
    $schema,
    title: 'sluice pipelines',
    description:
      'Pipelines that read AWS logs from S3 and index them into OpenSearch. Any value may use ${VAR} or ${VAR:-default} from the environment. Generated from src/config/schema.ts: do not edit.',
    ...(allowEnvReferences(rest) as JsonSchema),
  };
}

/** A zod schema as the JSON Schema draft editors read (the input side: keys with defaults are optional). */
export function draft07(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-07',
    // Recursive conditions (all/any/not) become `definitions` references.
    cycles: 'ref',
    reused: 'inline',
    unrepresentable: 'any',
  }) as JsonSchema;
}

/** The text docs/pipeline.schema.json holds. */
export function pipelineJsonSchemaText(): string {
  return `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
}
