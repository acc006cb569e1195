import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { interpolate } from '../../src/config/interpolate.js';
import { pipelineJsonSchema } from '../../src/config/json-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { pipelineTestJsonSchema } from '../../src/pipeline-test/test-file-json-schema.js';
import { testFileSchema } from '../../src/pipeline-test/test-file-schema.js';

const ROOT = join(import.meta.dirname, '../..');
const shipped = [
  ...readdirSync(join(ROOT, 'pipelines'))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `pipelines/${name}`),
  'examples/demo/demo.yml',
];

/** Placeholders for every variable the shipped files use without a default. */
const env: NodeJS.ProcessEnv = {
  ALB_LOG_BUCKET: 'my-alb-logs',
  WAF_LOG_BUCKET: 'my-waf-logs',
  SLUICE_STATE_BUCKET: 'my-sluice-state',
  OPENSEARCH_USERNAME: 'sluice',
  OPENSEARCH_PASSWORD: 'not-a-real-password',
};

/** ajv in its default mode, draft-07 (the draft yaml-language-server validates with), strict about the schema itself. */
function compile(schema = pipelineJsonSchema()) {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  // VS Code's keyword for a deprecated key (json-schema.ts); not a JSON Schema keyword.
  ajv.addKeyword('deprecationMessage');
  // A CommonJS module: its plugin is its `default` (and the module itself) at run time.
  ajvFormats.default(ajv);
  return ajv.compile(schema);
}

let validate: ReturnType<typeof compile>;
beforeAll(() => {
  validate = compile();
});

function errorsOf(data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** A pipeline file built from the ALB example with one change, written where loadConfig can read it. */
function variant(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-schema-')), 'pipeline.yml');
  writeFileSync(file, text);
  return file;
}

const minimal = (body: string) => `pipelines:
  - id: demo
    source: { type: file, path: ./logs }
    parser: { type: alb }
${body}
    checkpoint: { type: file, directory: ./state }
`;

describe('docs/pipeline.schema.json and the loader', () => {
  it('is a valid draft-07 schema when ajv compiles it in strict mode', () => {
    expect(pipelineJsonSchema().$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(validate.schema).toBeTruthy();
  });

  it.each(shipped)('accepts %s as an editor sees it, ${VAR} references and all', (name) => {
    const data = parse(readFileSync(join(ROOT, name), 'utf8'));
    expect(errorsOf(data)).toEqual([]);
  });

  it.each(shipped)('accepts %s with its variables filled in, as the loader does', async (name) => {
    const { value } = interpolate(readFileSync(join(ROOT, name), 'utf8'), env);
    expect(errorsOf(parse(value))).toEqual([]);
    await expect(loadConfig(join(ROOT, name), env)).resolves.toMatchObject({ warnings: [] });
  });

  it.each([
    ['an unknown key', '    outputs: [{ type: stdout, colour: red }]'],
    ['an unknown output type', '    outputs: [{ type: kafka }]'],
    ['a string where a number belongs', '    outputs: [{ type: stdout }]\n    max_record_bytes: lots'],
    ['no outputs', '    outputs: []'],
    [
      'a condition with two operators',
      '    outputs: [{ type: stdout, when: { exists: a, equals: { field: b, value: 1 } } }]',
    ],
    ['an unknown condition', '    outputs: [{ type: stdout, when: { contains: { field: a, value: b } } }]'],
  ])('rejects a pipeline with %s, as the loader does', async (_what, body) => {
    const text = minimal(body);
    expect(errorsOf(parse(text))).not.toEqual([]);
    await expect(loadConfig(variant(text), {})).rejects.toThrow(/pipeline\.yml:\d+:\d+/);
  });

  it('accepts the same pipeline with a valid body, as the loader does', async () => {
    const text = minimal('    outputs: [{ type: stdout, when: { gte: { field: elb_status_code, value: 500 } } }]');
    expect(errorsOf(parse(text))).toEqual([]);
    await expect(loadConfig(variant(text), {})).resolves.toMatchObject({ warnings: [] });
  });

  it('validates outputs shared through YAML merge keys once the keys are merged', () => {
    // yaml-language-server resolves `<<` before it checks the schema, as a loader with merge
    // keys does; left unmerged, `<<` would be an unknown key.
    const text = `pipelines:
  - id: demo
    source: { type: file, path: ./logs }
    parser: { type: alb }
    outputs:
      - &output
        type: opensearch
        hosts: ["https://search.example.com:443"]
        index: alb-%{+YYYY.MM.dd}
        auth: { type: basic, username: sluice, password: "\${OPENSEARCH_PASSWORD}" }
      - <<: *output
        index: alb-errors-%{+YYYY.MM.dd}
        when: { gte: { field: elb_status_code, value: 500 } }
    checkpoint: { type: file, directory: ./state }
`;
    const merged = parse(text, { merge: true });
    expect(merged.pipelines[0].outputs[1]).toMatchObject({ type: 'opensearch', index: 'alb-errors-%{+YYYY.MM.dd}' });
    expect(errorsOf(merged)).toEqual([]);
    expect(errorsOf(parse(text, { merge: false })).join('\n')).toMatch(/additional properties/);
  });
});

describe('docs/pipeline-test.schema.json and the test file loader', () => {
  const testFiles = readdirSync(join(ROOT, 'pipelines/tests'))
    .filter((name) => name.endsWith('.test.yml'))
    .map((name) => `pipelines/tests/${name}`);

  it.each(testFiles)('accepts %s and points editors at it on its first line', (name) => {
    const validateTest = compile(pipelineTestJsonSchema());
    const text = readFileSync(join(ROOT, name), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../docs/pipeline-test.schema.json');
    expect(validateTest(parse(text, { merge: true })), JSON.stringify(validateTest.errors)).toBe(true);
  });

  it.each([
    ['two inputs', { tests: [{ name: 'a', input: { lines: ['x'], text: 'y' } }] }],
    ['a misspelt key', { tests: [{ name: 'a', input: { lines: ['x'] }, evnts: [] }] }],
    [
      'an unknown code',
      { tests: [{ name: 'a', input: { lines: ['x'] }, dead_letters: [{ record: 1, code: 'ERR_X' }] }] },
    ],
    [
      'a route that is neither index nor name',
      { tests: [{ name: 'a', input: { text: '' }, events: [{ outputs: [-1] }] }] },
    ],
  ])('rejects a test file with %s, as the loader does', (_what, data) => {
    expect(compile(pipelineTestJsonSchema())(data)).toBe(false);
    expect(testFileSchema.safeParse(data).success).toBe(false);
  });
});
