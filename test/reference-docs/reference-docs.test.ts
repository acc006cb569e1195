import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { interpolate } from '../../src/config/interpolate.js';
import { draft07 } from '../../src/config/json-schema.js';
import { conditionSchema } from '../../src/filters/condition.js';
import { optionRows, typeOf } from '../../src/reference-docs/option-rows.js';
import { componentTypes, exampleOf, referencePages } from '../../src/reference-docs/render-reference.js';

const ROOT = join(import.meta.dirname, '../..');
const REFERENCE = join(ROOT, 'docs/reference');

/** Values for the ${VAR}s examples use without a default. */
const env = {
  ALB_LOG_BUCKET: 'my-alb-logs',
  SLUICE_STATE_BUCKET: 'my-state',
  OPENSEARCH_USERNAME: 'u',
  OPENSEARCH_PASSWORD: 'p',
};

describe('docs/reference', () => {
  const pages = referencePages();

  it('holds exactly the generated pages when it is up to date', () => {
    const onDisk = (readdirSync(REFERENCE, { recursive: true }) as string[])
      .filter((name) => name.endsWith('.md'))
      .sort();
    // On failure: npm run build && node scripts/write-reference.mjs
    expect(onDisk).toEqual([...pages.keys()].sort());
    for (const [path, text] of pages) expect(readFileSync(join(REFERENCE, path), 'utf8'), path).toBe(text);
  });

  it('has a page for every source, parser, filter, output, dead-letter and checkpoint type', () => {
    const expected = ['sources/s3.md', 'parsers/alb.md', 'parsers/waf.md', 'filters/geoip.md', 'filters/drop.md'];
    expected.push('outputs/opensearch.md', 'dead-letters/s3.md', 'checkpoints/dynamodb.md', 'checkpoints/file.md');
    for (const path of expected) expect(pages.has(path), path).toBe(true);
    expect(pages.size).toBe(componentTypes().length + 3);
  });

  it.each(componentTypes().map((component) => [`${component.kind.folder}/${component.type}`, component] as const))(
    'shows an example of %s that the loader accepts',
    (_name, component) => {
      const data = parse(interpolate(exampleOf(component), env).value) as Record<string, unknown>;
      const value = data[component.kind.slot];
      const config = Array.isArray(value) ? value[0] : value;
      expect(config).toMatchObject({ type: component.type });
      const result = component.kind.schema.safeParse(config);
      expect(result.error?.issues ?? []).toEqual([]);
    },
  );

  it('lists every option of a component with its type, default and description', () => {
    const page = pages.get('filters/geoip.md')!;
    expect(page).toMatch(/^\| `source` \| string \| required \| .+ \|$/m);
    expect(page).toMatch(/^\| `cache_size` \| integer[^|]*\| `\d+` \| .+ \|$/m);
    expect(page).toMatch(/^\| `when` \| condition \| {2}\| .+ \|$/m);
    expect(page).toContain('[conditions](../conditions.md)');
    expect(pages.get('outputs/opensearch.md')).toMatch(
      /^\| `auth \(type: aws_sigv4\)\.service` \| one of "es", "aoss" \| `"es"` \|/m,
    );
    expect(pages.get('outputs/opensearch.md')).toMatch(
      /^\| `flush_interval_ms` \| [^|]+ \| {2}\| \*\*Deprecated\.\*\* /m,
    );
  });

  it("names an option's recursive type by what it references: a condition, or any JSON value (mutate's add)", () => {
    const page = pages.get('filters/mutate.md')!;
    expect(page).toMatch(/^\| `add` \| map of any JSON value \| {2}\| .+ \|$/m);
    expect(page).toMatch(/^\| `when` \| condition \| {2}\| .+ \|$/m);
    expect(pages.get('conditions.md')).toMatch(/^\| `not` \| condition \| {2}\| .+ \|$/m);
  });
});

describe('typeOf', () => {
  it.each([
    [{ type: 'string' }, 'string'],
    [{ type: 'string', format: 'uri' }, 'URL'],
    [{ type: 'integer', minimum: 1, maximum: 9007199254740991 }, 'integer ≥ 1'],
    [{ type: 'number', exclusiveMinimum: 0, maximum: 1 }, 'number > 0, ≤ 1'],
    [{ type: 'array', items: { type: 'string' } }, 'list of string'],
    [{ enum: ['es', 'aoss'] }, 'one of "es", "aoss"'],
    [{ const: 's3' }, '"s3"'],
    [{ type: ['string', 'null'] }, 'string or null'],
    [{ type: 'object', additionalProperties: { type: 'string' } }, 'map of string'],
    [{ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, 'string or list of string'],
    [{}, 'any value'],
  ])('names %j as %s', (schema, name) => {
    expect(typeOf(schema)).toBe(name);
  });

  const condition = { type: 'object', description: draft07(conditionSchema).description, properties: {} };
  const json = { anyOf: [{ type: 'string' }, { type: 'array', items: { $ref: '#/definitions/__schema1' } }] };
  const root = { definitions: { __schema0: condition, __schema1: json } };

  it.each([
    [{ allOf: [{ $ref: '#/definitions/__schema0' }] }, 'condition'],
    [{ type: 'array', items: { $ref: '#/definitions/__schema0' } }, 'list of condition'],
    [{ type: 'object', additionalProperties: { $ref: '#/definitions/__schema1' } }, 'map of any JSON value'],
  ])('names %j, a reference into the definitions, as %s', (schema, name) => {
    expect(typeOf(schema, root)).toBe(name);
  });

  it('refuses a reference it cannot name, rather than calling it a condition', () => {
    const other = { definitions: { __schema0: { type: 'object', properties: { next: { $ref: '#' } } } } };
    expect(() => typeOf({ $ref: '#/definitions/__schema0' }, other)).toThrow(/no name for/);
    expect(() => typeOf({ $ref: '#/definitions/__schema9' }, other)).toThrow(/not in the schema's definitions/);
  });
});

describe('optionRows', () => {
  it('flattens nested maps and choices by type when an option holds them', () => {
    const rows = optionRows({
      type: 'object',
      required: ['a'],
      properties: {
        a: { type: 'string', description: 'A.' },
        b: { type: 'object', default: {}, properties: { c: { type: 'boolean', default: false } } },
        d: {
          oneOf: [
            { type: 'object', required: ['type', 'e'], properties: { type: { const: 'x' }, e: { type: 'string' } } },
            { type: 'object', properties: { type: { const: 'y' } } },
          ],
        },
      },
    });
    expect(rows.map((row) => [row.name, row.type, row.default])).toEqual([
      ['a', 'string', 'required'],
      ['b', 'map', '{}'],
      ['b.c', 'boolean', 'false'],
      ['d', 'map, by type: "x", "y"', ''],
      ['d (type: x).e', 'string', 'required'],
    ]);
  });
});
