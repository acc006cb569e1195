import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadTestFile } from '../../src/pipeline-test/load-test-file.js';

async function problems(text: string): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-ptest-load-')), 'x.test.yml');
  writeFileSync(file, text);
  const error = await loadTestFile(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split('\n').map((line) => line.slice(line.indexOf('x.test.yml:') + 11));
}

const CASE = 'tests:\n  - name: a\n    input: { lines: [x] }\n';

describe('loadTestFile', () => {
  it.each([
    ['an empty file', '', ['1:1 the file is empty: it needs a "tests:" list']],
    ['a YAML syntax error', 'tests: [\n', [expect.stringMatching(/^2:1 YAML syntax error: /)]],
    ['a list at the top', '- a\n', ['1:1 expected a map with a "tests:" list at the top of the file']],
    ['a misspelt key', `${CASE}    evnts: []\n`, ['4:5 tests[0].evnts: unknown key "evnts" (did you mean "events"?)']],
    [
      'two inputs',
      'tests:\n  - name: a\n    input: { lines: [x], text: y }\n',
      ['3:12 tests[0].input: an input takes one of lines, text or file; found lines, text'],
    ],
    [
      'no input',
      'tests:\n  - name: a\n    input: {}\n',
      ['3:12 tests[0].input: an input needs one of lines, text or file'],
    ],
    [
      'a misspelt code',
      `${CASE}    dead_letters: [{ record: 1, code: ERR_RECORD_PARS }]\n`,
      [
        expect.stringMatching(
          /^4:39 tests\[0\]\.dead_letters\[0\]\.code: "ERR_RECORD_PARS" is not allowed \(did you mean "ERR_RECORD_PARSE"\?\)/,
        ),
      ],
    ],
    [
      'a condition with two operators',
      `${CASE}    events: [{ conditions: [{ exists: a, equals: { field: b, value: 1 } }] }]\n`,
      [expect.stringMatching(/^4:29 tests\[0\]\.events\[0\]\.conditions\[0\]: a condition takes exactly one of/)],
    ],
    [
      'a field path that reaches the prototype',
      `${CASE}    events: [{ fields: { a.__proto__.b: 1 } }]\n`,
      [
        expect.stringMatching(
          /^4:\d+ tests\[0\]\.events\[0\]\.fields\.a\.__proto__\.b: a field path segment may not be __proto__/,
        ),
      ],
    ],
    [
      'an invalid regular expression',
      `${CASE}    dead_letters: [{ record: 1, code: ERR_RECORD_PARSE, reason_matches: "(" }]\n`,
      [expect.stringMatching(/reason_matches: "\(" is not a valid JavaScript regular expression$/)],
    ],
  ])('reports %s at its line and column', async (_what, text, expected) => {
    expect(await problems(text)).toEqual(expected);
  });

  it('lists the problems of a file in the order of its lines when there are several', async () => {
    const text = 'tests:\n  - name: ""\n    input: { lines: [] }\n    dropped: [0]\n';
    const lines = await problems(text);
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['2:11', '3:21', '4:15']);
  });

  it("resolves the file's config against its own folder and keeps env values as text", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ptest-load-'));
    writeFileSync(join(dir, 'a.test.yml'), `config: ../p.yml\nenv: { PORT: 9200, ON: true }\n${CASE}`);
    const loaded = await loadTestFile(join(dir, 'a.test.yml'));
    expect(loaded.config).toBe(join(dir, '../p.yml'));
    expect(loaded.env).toEqual({ PORT: '9200', ON: 'true' });
    expect(loaded.cases[0]).toMatchObject({ name: 'a', input: { lines: ['x'] } });
  });
});
