import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-field-paths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A valid pipeline around one filter list and one index pattern; line numbers below refer to this text. */
function pipeline(filters: string, index = 'alb-%{+YYYY.MM.dd}', extraOutput = ''): string {
  return `pipelines:
  - id: alb
    source: { type: s3, bucket: my-logs }
    parser: { type: alb }
    filters:
${filters}
    outputs:
      - type: opensearch
        hosts: [https://search.example.com]
        index: ${index}
${extraOutput}    checkpoint: { type: s3, bucket: my-checkpoints }
`;
}

async function problemsOf(text: string): Promise<string[]> {
  const file = join(root, `case-${counter++}.yml`);
  writeFileSync(file, text);
  try {
    await loadConfig(file, {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

const message = 'a field path segment may not be __proto__, prototype or constructor';

describe('field paths in configuration', () => {
  it.each([
    {
      name: 'a mutate add key, the reported pollution',
      filters: '      - type: mutate\n        add: { "__proto__.polluted": "yes" }',
      expected: [`7:38 pipelines[0].filters[0].add.__proto__.polluted: ${message}`],
    },
    {
      name: 'a bare __proto__ key, which zod alone would drop without a word',
      filters: '      - type: mutate\n        add: { "__proto__": { polluted: "yes" } }',
      expected: [`7:29 pipelines[0].filters[0].add.__proto__: ${message}`],
    },
    {
      name: 'a mutate rename target',
      filters: '      - type: mutate\n        rename: { a: "[constructor][prototype][x]" }',
      expected: [`7:22 pipelines[0].filters[0].rename.a: ${message}`],
    },
    {
      name: 'a field reference inside a mutate add template',
      filters: '      - type: mutate\n        add: { x: "%{[__proto__][toString]}" }',
      expected: [`7:19 pipelines[0].filters[0].add.x: ${message}`],
    },
    {
      name: 'a filter source',
      filters: '      - type: waf_headers\n        source: a.__proto__',
      expected: [`7:17 pipelines[0].filters[0].source: ${message}`],
    },
    {
      name: 'a when condition',
      filters: '      - type: drop\n        when: { exists: constructor }',
      expected: [`7:25 pipelines[0].filters[0].when.exists: ${message}`],
    },
    {
      name: 'redact fields',
      filters: '      - type: redact\n        fields: [ok, x.prototype]',
      expected: [`7:22 pipelines[0].filters[0].fields[1]: ${message}`],
    },
  ])('reports $name at its line and column', async ({ filters, expected }) => {
    expect(await problemsOf(pipeline(filters))).toEqual(expected);
  });

  it('reports a field reference in an index pattern at its line and column', async () => {
    const text = pipeline('      - { type: date, field: time }', 'alb-%{[__proto__][x]}-%{+YYYY.MM.dd}');
    expect(await problemsOf(text)).toEqual([`10:16 pipelines[0].outputs[0].index: ${message}`]);
  });

  it('reports a field reference in a file output path at its line and column', async () => {
    const text = pipeline(
      '      - { type: date, field: time }',
      'alb-%{+YYYY.MM.dd}',
      '      - type: file\n        path: "out/%{[constructor]}.ndjson"\n',
    );
    expect(await problemsOf(text)).toEqual([`12:15 pipelines[0].outputs[1].path: ${message}`]);
  });

  it('reports an output routing condition at its line and column', async () => {
    const text = pipeline(
      '      - { type: date, field: time }',
      'alb-%{+YYYY.MM.dd}',
      '        when: { equals: { field: __proto__, value: 1 } }\n',
    );
    expect(await problemsOf(text)).toEqual([`11:34 pipelines[0].outputs[0].when.equals.field: ${message}`]);
  });

  it('accepts segments that only contain the forbidden words', async () => {
    const text = pipeline('      - type: mutate\n        add: { "my_proto.constructor_id": "%{[prototype_name]}" }');
    const file = join(root, `case-${counter++}.yml`);
    writeFileSync(file, text);
    await expect(loadConfig(file, {})).resolves.toMatchObject({ pipelines: [{ config: { id: 'alb' } }] });
  });
});
