import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { getLanguageService } from 'yaml-language-server';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The language server editors run (VS Code's YAML extension and others), reading schemas
 * from disk: what a user sees in the editor for a file, through its `$schema` modeline.
 */
const service = getLanguageService({
  schemaRequestService: async (uri: string) => readFileSync(URI.parse(uri).fsPath, 'utf8'),
  workspaceContext: { resolveRelativePath: (relative: string, resource: string) => new URL(relative, resource).href },
});
service.configure({ validate: true, completion: true, hover: true, yamlVersion: '1.2' });

async function diagnostics(file: string): Promise<string[]> {
  const document = TextDocument.create(pathToFileURL(file).href, 'yaml', 1, readFileSync(file, 'utf8'));
  const found = await service.doValidation(document, false);
  return found.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message.split('\n')[0]}`);
}

/** A pipeline file in a temporary folder whose modeline names the generated schema by absolute path. */
function pipelineFile(body: string, schema = 'pipeline.schema.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-yls-')), 'pipeline.yml');
  writeFileSync(file, `# yaml-language-server: $schema=${pathToFileURL(join(ROOT, 'docs', schema)).href}\n${body}`);
  return file;
}

const PIPELINE = `pipelines:
  - id: demo
    source: { type: file, path: ./logs }
    parser: { type: alb }
    outputs:
      - &first
        type: opensearch
        hosts: ["https://search.example.com:443"]
        index: alb-%{+YYYY.MM.dd}
        flush_bytes: \${FLUSH_BYTES}
      - <<: *first
        index: alb-errors-%{+YYYY.MM.dd}
        when: { gte: { field: elb_status_code, value: 500 } }
    checkpoint: { type: file, directory: ./state }
`;

describe('the generated schemas in yaml-language-server', () => {
  it.each([
    'pipelines/alb.yml',
    'pipelines/waf.yml',
    'examples/demo/demo.yml',
    'pipelines/tests/alb.test.yml',
    'pipelines/tests/waf.test.yml',
  ])('shows no problem in %s when its modeline points at its schema', async (name) => {
    expect(await diagnostics(join(ROOT, name))).toEqual([]);
  });

  it('accepts an output merged from another with <<: and a ${VAR} where a number belongs', async () => {
    expect(await diagnostics(pipelineFile(PIPELINE))).toEqual([]);
  });

  it('flags unknown keys and types, a deprecated key and a condition with two operators', async () => {
    const broken = PIPELINE.replace('path: ./logs }', 'path: ./logs, colour: red }')
      .replace('{ type: alb }', '{ type: albb }')
      .replace('flush_bytes: ${FLUSH_BYTES}', 'flush_interval_ms: 500')
      .replace('{ gte: { field: elb_status_code, value: 500 } }', '{ exists: a, equals: { field: b, value: 1 } }');
    expect(await diagnostics(pipelineFile(broken))).toEqual([
      '4:41 Property colour is not allowed.',
      expect.stringMatching(/^5:21 Value must be "alb" \| "alb_connection" \| "elb" \| "nlb" \| "waf"/),
      '11:9 Deprecated: use flush_interval_seconds (the same time in seconds).',
      '14:15 Object has more properties than limit of 1.',
    ]);
  });

  it('flags a test file with two inputs, a misspelt key and a code no case can produce', async () => {
    const text = `tests:
  - name: x
    input: { lines: [a], text: b }
    evnts: []
    dead_letters: [{ record: 1, code: ERR_BULK_REJECTED }]
`;
    const found = await diagnostics(pipelineFile(text, 'pipeline-test.schema.json'));
    expect(found).toEqual(
      expect.arrayContaining([
        '4:12 Object has more properties than limit of 1.',
        '5:5 Property evnts is not allowed.',
        expect.stringMatching(/^6:39 Value is not accepted\. Valid values: "ERR_RECORD_PARSE"/),
      ]),
    );
    expect(found).toHaveLength(3);
  });
});
