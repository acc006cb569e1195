import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { formatCaseReport } from '../../src/pipeline-test/format-report.js';
import { loadTestFile } from '../../src/pipeline-test/load-test-file.js';
import { type CaseReport, runTestFile } from '../../src/pipeline-test/run-test-file.js';

/** A JSON-lines pipeline that drops debug events and routes errors to a second output. */
const CONFIG = `pipelines:
  - id: app
    source: { type: file, path: "\${APP_LOGS}" }
    parser: { type: json_lines }
    filters:
      - { type: drop, when: { equals: { field: level, value: debug } } }
    outputs:
      - { type: file, path: out/all.ndjson }
      - { type: file, path: out/errors.ndjson, when: { equals: { field: level, value: error } } }
    checkpoint: { type: file, directory: ./state }
    max_dead_letter_records_per_object: 2
  - id: other
    source: { type: file, path: ./logs }
    parser: { type: lines }
    outputs: [{ type: stdout }]
    checkpoint: { type: file, directory: ./state }
`;

const LINES = [
  '{"level":"info","msg":"started"}',
  '{"level":"debug","msg":"noise"}',
  'not json',
  '{"level":"error","msg":"failed","code":503}',
];

function folder(testFile: string, files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ptest-'));
  writeFileSync(join(dir, 'pipelines.yml'), CONFIG);
  writeFileSync(join(dir, 'app.test.yml'), testFile);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

async function run(testFile: string, files?: Record<string, string | Buffer>): Promise<CaseReport[]> {
  const dir = folder(testFile, files);
  return runTestFile(await loadTestFile(join(dir, 'app.test.yml')), { config: join(dir, 'missing.yml'), env: {} });
}

const HEAD = `config: pipelines.yml
pipeline: app
env: { APP_LOGS: ./logs }
tests:
`;

const inputLines = `    input:
      lines:
${LINES.map((line) => `        - '${line}'`).join('\n')}
`;

describe('runTestFile', () => {
  it('passes when events, routes, drops and dead letters are what the record loop yields', async () => {
    const [report] = await run(`${HEAD}  - name: all of it
${inputLines}    events:
      - { record: 1, fields: { msg: started }, outputs: [0] }
      - record: 4
        fields: { level: error, code: 503 }
        outputs: [out/all.ndjson, out/errors.ndjson]
    dropped: [2]
    dead_letters: [{ record: 3, code: ERR_RECORD_PARSE, reason_matches: "JSON" }]
`);
    expect(formatCaseReport(report!)).toEqual(['  ok    all of it']);
  });

  it('fails with every mismatch when the expectations are wrong', async () => {
    const [report] = await run(`${HEAD}  - name: wrong
${inputLines}    events:
      - { record: 1, fields: { msg: begun }, outputs: [0, 1] }
      - record: 4
        conditions: [{ lt: { field: code, value: 500 } }]
    dropped: []
    dead_letters: []
`);
    expect(report!.mismatches.map((m) => `${m.subject}: ${m.check}`)).toEqual([
      'event 1 (record 1): field msg',
      'event 1 (record 1): outputs',
      'event 2 (record 4): condition {"lt":{"field":"code","value":500}}',
      'dropped: records of the events a filter dropped',
      'dead letters: entries',
    ]);
    const text = formatCaseReport(report!).join('\n');
    expect(text).toMatch(/FAIL {2}wrong \(.*app\.test\.yml:5:5, pipeline app\)/);
    expect(text).toMatch(/field msg \(.*app\.test\.yml:\d+:\d+\)\n {6}expected: "begun"\n {6}actual: {3}"started"/);
    expect(text).toContain('event 1 as produced (outputs 0 (out/all.ndjson)):\n      {"level":"info","msg":"started"}');
  });

  it('reads a gzip file as the worker reads an object when the input is a file', async () => {
    const gzip = gzipSync(`${LINES.join('\n')}\n`);
    const [report] = await run(
      `${HEAD}  - name: gzip
    input: { file: app.log.gz }
    events: [{ record: 1 }, { record: 4 }]
`,
      { 'app.log.gz': gzip },
    );
    expect(report!.mismatches).toEqual([]);
  });

  it('quarantines the object as the worker does when it passes its dead-letter cap', async () => {
    const [report] = await run(`${HEAD}  - name: cap
    input: { lines: ["{x", "{y", "{z", '{"level":"info"}'] }
    events: []
    dead_letters: [{ record: 0, code: ERR_DEAD_LETTER_CAP, reason_matches: "max_dead_letter_records_per_object \\\\(2\\\\)" }]
`);
    expect(report!.mismatches).toEqual([]);
  });

  it('reports a corrupt gzip as one entry about the object when the input is not valid gzip', async () => {
    const broken = gzipSync(`${LINES.join('\n')}\n`).subarray(0, 20);
    const [report] = await run(
      `${HEAD}  - name: corrupt
    input: { file: broken.log.gz }
    dead_letters: [{ record: 0, code: ERR_DECOMPRESS, reason_matches: "after 3 attempts" }]
`,
      { 'broken.log.gz': broken },
    );
    expect(report!.mismatches).toEqual([]);
  });

  it('lists every case that does not fit the config when pipelines or outputs are misnamed', async () => {
    const text = `config: pipelines.yml
env: { APP_LOGS: ./logs }
tests:
  - name: no pipeline named
    input: { lines: [a] }
  - name: unknown pipeline
    pipeline: ap
    input: { lines: [a] }
  - name: unknown output
    pipeline: app
    input: { file: nowhere.log }
    events: [{ outputs: [2, "stdout"] }]
`;
    const error = await run(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).message.split('\n').map((line) => line.replace(/^.*app\.test\.yml:/, ''));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('4:5 tests[0]: the config has 2 pipelines (app, other): name one with pipeline:');
    expect(lines[1]).toBe('7:15 tests[1].pipeline: no pipeline "ap" in the config; it has app, other');
    expect(lines[2]).toMatch(/^11:20 tests\[2\]\.input\.file: no such file: .*nowhere\.log$/);
  });

  it('names an output that does not exist at its place in the test file', async () => {
    const error = await run(`${HEAD}  - name: unknown output
    input: { lines: [a] }
    events: [{ outputs: [2, "stdout"] }]
`).catch((e: unknown) => e);
    const message = (error as ConfigError).message;
    expect(message).toMatch(
      /app\.test\.yml:7:26 tests\[0\]\.events\[0\]\.outputs\[0\]: no output 2; the pipeline's outputs are 0 \(out\/all\.ndjson\), 1 \(out\/errors\.ndjson\)/,
    );
    expect(message).toMatch(/app\.test\.yml:7:29 tests\[0\]\.events\[0\]\.outputs\[1\]: no output named "stdout"/);
  });

  it("fills the config's unset variables from the test file's env, and the environment's values win", async () => {
    const dir = folder(`${HEAD}  - name: env\n    input: { lines: [a] }\n`);
    const testFile = await loadTestFile(join(dir, 'app.test.yml'));
    await expect(runTestFile(testFile, { config: dir, env: {} })).resolves.toHaveLength(1);
    const withoutEnv = { ...testFile, env: {} };
    await expect(runTestFile(withoutEnv, { config: dir, env: {} })).rejects.toThrow(/APP_LOGS is not set/);
    await expect(runTestFile(withoutEnv, { config: dir, env: { APP_LOGS: './logs' } })).resolves.toHaveLength(1);
  });
});
