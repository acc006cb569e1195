import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/load-config.js';
import { inFileOrder } from '../../src/config/problem-order.js';
import { checkPipelines } from '../../src/pipeline/check-pipelines.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-check-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** The problems of one file as `line:col path: message`. */
async function check(text: string, options: { pipelineIds?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const file = join(root, `p${counter++}.yml`);
  writeFileSync(file, text);
  const problems = await checkPipelines(await readConfig(file, options.env ?? {}), options);
  return problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message.replaceAll(root, '<root>')}`);
}

const GEOIP = (database: string, extra = '') =>
  `      - { type: geoip, source: client_ip, database: ${database}${extra} }`;

describe('checkPipelines', () => {
  it('builds nothing of a pipeline whose id does not parse: every component is built in its context', async () => {
    const problems = await check(`pipelines:
  - id: Web!
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
${GEOIP('City.mmdb')}
    outputs: [ { type: stdout } ]
    checkpoint: { type: file, directory: state }
`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^2:9 pipelines\[0\]\.id: use lowercase letters/);
  });

  it('builds the source, filters and outputs that parsed beside a dead_letter that did not, and never the dead_letter', async () => {
    const problems = await check(`pipelines:
  - id: web
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
${GEOIP('City.mmdb')}
    outputs:
      - { type: opensearch, hosts: ["https://search.example.com"], index: x, template: { file: t.json } }
    dead_letter: { type: file, path: dead/x.ndjson, colour: red }
    checkpoint: { type: file, directory: state }
`);
    expect(problems).toEqual([
      expect.stringMatching(
        /^6:53 pipelines\[0\]\.filters\[0\]\.database: cannot open GeoIP database <root>\/City\.mmdb/,
      ),
      expect.stringMatching(/^8:96 pipelines\[0\]\.outputs\[0\]\.template\.file: cannot read index template file/),
      expect.stringMatching(/^9:53 pipelines\[0\]\.dead_letter\.colour: unknown key "colour"/),
    ]);
    expect(existsSync(join(root, 'dead'))).toBe(false);
    expect(existsSync(join(root, 'state'))).toBe(false);
  });

  it('does not compile output conditions under schema: ecs with a parser that has no ECS names, and builds the rest', async () => {
    // The schema's rule on schema: ecs runs only once the rest of the pipeline parses: the
    // filter's cache_size keeps it from running here, so the check meets a vpc_flow parser under ecs.
    const problems = await check(`pipelines:
  - id: web
    schema: ecs
    source: { type: file, path: logs }
    parser: { type: vpc_flow }
    filters:
${GEOIP('City.mmdb', ', cache_size: many')}
    outputs:
      - type: opensearch
        hosts: ["https://search.example.com"]
        index: x
        template: { file: t.json }
        when: { equals: { field: action, value: REJECT } }
    checkpoint: { type: file, directory: state }
`);
    expect(problems).toEqual([
      expect.stringMatching(/^7:76 pipelines\[0\]\.filters\[0\]\.cache_size: expected a number, got a string/),
      expect.stringMatching(/^12:27 pipelines\[0\]\.outputs\[0\]\.template\.file: cannot read index template file/),
    ]);
  });

  it('lists the schema problems of every pipeline but builds only the selected ones', async () => {
    const text = `pipelines:
  - id: one
    source: { type: file, path: logs }
    parser: { type: albb }
    filters:
${GEOIP('One.mmdb')}
    outputs: [ { type: stdout } ]
    checkpoint: { type: file, directory: state }
  - id: two
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
${GEOIP('Two.mmdb')}
    outputs: [ { type: stdout } ]
    checkpoint: { type: file, directory: state }
`;
    const problems = await check(text, { pipelineIds: ['two'] });
    expect(problems).toEqual([
      expect.stringMatching(/^4:21 pipelines\[0\]\.parser\.type: unknown type "albb"/),
      expect.stringMatching(
        /^13:53 pipelines\[1\]\.filters\[0\]\.database: cannot open GeoIP database <root>\/Two\.mmdb/,
      ),
    ]);
  });

  it('does not build a part whose value lacks a variable (it would name /City.mmdb)', async () => {
    const problems = await check(`pipelines:
  - id: web
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
${GEOIP('"${GEO}/City.mmdb"')}
${GEOIP('"${GEO}/City.mmdb"')}
    outputs: [ { type: stdout } ]
    checkpoint: { type: file, directory: state }
`);
    expect(problems).toEqual([
      '6:53 pipelines[0].filters[0].database: environment variable GEO is not set (use ${GEO:-default} for an optional value)',
      '7:53 pipelines[0].filters[1].database: environment variable GEO is not set (use ${GEO:-default} for an optional value)',
    ]);
  });

  it('orders problems by file as read, then line and column, and lists each once', () => {
    const at = (file: string, line: number, column: number, message = 'm') => ({
      file,
      line,
      column,
      path: '',
      message,
    });
    expect(
      inFileOrder(
        [at('b.yml', 1, 1), at('a.yml', 9, 1), at('a.yml', 2, 7), at('a.yml', 2, 3), at('b.yml', 1, 1)],
        ['b.yml', 'a.yml'],
      ),
    ).toEqual([at('b.yml', 1, 1), at('a.yml', 2, 3), at('a.yml', 2, 7), at('a.yml', 9, 1)]);
  });
});
