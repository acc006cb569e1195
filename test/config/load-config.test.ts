import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A valid pipeline; each case edits one line of it. Line numbers below refer to this text. */
const VALID = `pipelines:
  - id: alb
    source:
      type: s3
      bucket: my-logs
      prefix: AWSLogs/
    parser: { type: alb }
    filters:
      - type: date
        field: time
    outputs:
      - type: opensearch
        hosts: [https://search.example.com]
        index: alb-%{+YYYY.MM.dd}
    checkpoint: { type: s3, bucket: my-checkpoints }
`;

function edit(from: string, to: string, text = VALID): string {
  if (!text.includes(from)) throw new Error(`test setup: ${JSON.stringify(from)} not in the text`);
  return text.replace(from, () => to);
}

/** Writes files into a fresh folder; returns the folder. */
function folder(files: Record<string, string>): string {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Loads and returns the problems as `name:line:col path: message`, with the folder left out. */
async function problems(path: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await loadConfig(path, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe('ERR_CONFIG_INVALID');
    return configError.message.split('\n').map((line) => line.replaceAll(`${path}/`, '').replaceAll(root, '<root>'));
  }
  throw new Error('expected a ConfigError');
}

async function problemsOfText(text: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const dir = folder({ 'p.yml': text });
  return problems(dir, env);
}

describe('loadConfig', () => {
  it('loads a valid pipeline with defaults applied when nothing is wrong', async () => {
    const dir = folder({ 'p.yml': VALID });
    const loaded = await loadConfig(join(dir, 'p.yml'), {});
    expect(loaded.files).toEqual([join(dir, 'p.yml')]);
    expect(loaded.pipelines).toHaveLength(1);
    const [pipeline] = loaded.pipelines;
    expect(pipeline!.baseDir).toBe(dir);
    expect(pipeline!.config.id).toBe('alb');
    expect(pipeline!.config.max_record_bytes).toBe(1024 * 1024);
    expect(pipeline!.config.source).toMatchObject({ type: 's3', bucket: 'my-logs', poll_interval_seconds: 60 });
    expect(pipeline!.config.outputs[0]).toMatchObject({ action: 'create', document_id: 'deterministic' });
  });

  it.each([
    {
      name: 'a YAML syntax error, reported once at its line',
      text: edit('    parser: { type: alb }', '    parser: { type: alb'),
      expected: [
        'p.yml:8:5 YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
      ],
    },
    {
      name: 'a duplicate key',
      text: edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      bucket: other'),
      expected: ['p.yml:7:7 duplicate key "bucket": each key may appear once in a map'],
    },
    {
      name: 'an unknown key at the top level',
      text: `${VALID}pipeline: {}\n`,
      expected: ['p.yml:16:1 pipeline: unknown key "pipeline" (did you mean "pipelines"?)'],
    },
    {
      name: 'an unknown key in a pipeline',
      text: edit('    parser:', '    fitlers: []\n    parser:'),
      expected: ['p.yml:7:5 pipelines[0].fitlers: unknown key "fitlers" (did you mean "filters"?)'],
    },
    {
      name: 'an unknown key in a source',
      text: edit('      prefix: AWSLogs/', '      prefx: AWSLogs/'),
      expected: ['p.yml:6:7 pipelines[0].source.prefx: unknown key "prefx" (did you mean "prefix"?)'],
    },
    {
      name: 'an unknown key in a filter',
      text: edit('        field: time', '        field: time\n        formts: [iso8601]'),
      expected: ['p.yml:11:9 pipelines[0].filters[0].formts: unknown key "formts" (did you mean "formats"?)'],
    },
    {
      name: 'an unknown key in an output',
      text: edit('        index: alb-%{+YYYY.MM.dd}', '        index_name: alb-%{+YYYY.MM.dd}'),
      expected: [
        'p.yml:12:9 pipelines[0].outputs[0].index: missing required key "index"',
        'p.yml:14:9 pipelines[0].outputs[0].index_name: unknown key "index_name" (did you mean "index"?)',
      ],
    },
    {
      name: 'an unknown key close to nothing known, listing the allowed keys',
      text: edit('    parser: { type: alb }', '    parser: { type: alb, zzzzzzzz: 1 }'),
      expected: ['p.yml:7:26 pipelines[0].parser.zzzzzzzz: unknown key "zzzzzzzz"; allowed keys: type'],
    },
    {
      name: 'an unknown parser type',
      text: edit('{ type: alb }', '{ type: albb }'),
      expected: [
        'p.yml:7:21 pipelines[0].parser.type: unknown type "albb" (did you mean "alb"?); expected one of: alb, alb_connection, elb, nlb, waf, cloudfront, s3_access, vpc_flow, vpc_flow_parquet, cloudtrail, json_lines, lines',
      ],
    },
    {
      name: 'an unknown filter type',
      text: edit('      - type: date', '      - type: geo_ip'),
      expected: [
        'p.yml:9:15 pipelines[0].filters[0].type: unknown type "geo_ip" (did you mean "geoip"?); expected one of: date, geoip, user_agent, waf_headers, redact, mutate, drop',
      ],
    },
    {
      name: 'an unknown output type',
      text: edit('      - type: opensearch', '      - type: elasticsearch'),
      expected: [
        'p.yml:12:15 pipelines[0].outputs[0].type: unknown type "elasticsearch"; expected one of: opensearch, stdout, file',
      ],
    },
    {
      name: 'a component without type',
      text: edit('{ type: alb }', '{ format: alb }'),
      expected: [
        'p.yml:7:13 pipelines[0].parser.type: missing "type"; expected one of: alb, alb_connection, elb, nlb, waf, cloudfront, s3_access, vpc_flow, vpc_flow_parquet, cloudtrail, json_lines, lines',
      ],
    },
    {
      name: 'a component written as a bare type name',
      text: edit('{ type: alb }', 'alb'),
      expected: [
        'p.yml:7:13 pipelines[0].parser: expected a map (key: value), got a string (write e.g. parser: { type: alb })',
      ],
    },
    {
      name: 'a filter written as a bare type name',
      text: edit('      - type: date\n        field: time', '      - date'),
      expected: [
        'p.yml:9:9 pipelines[0].filters[0]: expected a map (key: value), got a string (write e.g. - { type: date })',
      ],
    },
    {
      name: 'a condition written as a string',
      text: edit('        field: time', '        field: time\n        when: { exists: { field: time } }'),
      expected: ['p.yml:11:25 pipelines[0].filters[0].when.exists: expected a string, got a map'],
    },
    {
      name: 'a missing required key',
      text: edit('    checkpoint: { type: s3, bucket: my-checkpoints }\n', ''),
      expected: ['p.yml:2:5 pipelines[0].checkpoint: missing required key "checkpoint"'],
    },
    {
      name: 'a missing required key inside a component',
      text: edit('      bucket: my-logs\n', ''),
      expected: ['p.yml:4:7 pipelines[0].source.bucket: missing required key "bucket"'],
    },
    {
      name: 'a number where a string is wanted',
      text: edit('bucket: my-logs', 'bucket: 12345'),
      expected: [
        'p.yml:5:15 pipelines[0].source.bucket: expected a string, got an integer (quote it to keep it text: "12345")',
      ],
    },
    {
      name: 'a string where a list is wanted',
      text: edit('        field: time', '        field: time\n        formats: iso8601'),
      expected: ['p.yml:11:18 pipelines[0].filters[0].formats: expected a list, got a string'],
    },
    {
      name: 'a string where a number is wanted',
      text: edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      poll_interval_seconds: often'),
      expected: ['p.yml:7:30 pipelines[0].source.poll_interval_seconds: expected a number, got a string'],
    },
    {
      name: 'a fraction where an integer is wanted',
      text: edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      max_objects_in_flight: 2.5'),
      expected: ['p.yml:7:30 pipelines[0].source.max_objects_in_flight: expected an integer, got 2.5'],
    },
    {
      name: 'an invalid regular expression',
      text: edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      include: ["(unclosed"]'),
      expected: ['p.yml:7:17 pipelines[0].source.include[0]: "(unclosed" is not a valid regular expression'],
    },
    {
      name: 'a negative number',
      text: edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      poll_interval_seconds: -5'),
      expected: ['p.yml:7:30 pipelines[0].source.poll_interval_seconds: must be greater than 0, got -5'],
    },
    {
      name: 'a number below its minimum',
      text: edit('        index: alb-%{+YYYY.MM.dd}', '        index: alb-%{+YYYY.MM.dd}\n        concurrency: 0'),
      expected: ['p.yml:15:22 pipelines[0].outputs[0].concurrency: must be at least 1, got 0'],
    },
    {
      name: 'a URL without a scheme',
      text: edit('[https://search.example.com]', '[search.example.com]'),
      expected: [
        'p.yml:13:17 pipelines[0].outputs[0].hosts[0]: "search.example.com" is not a valid URL; write the scheme and host, e.g. https://search.example.com:443',
      ],
    },
    {
      name: 'an empty list that needs an item',
      text: edit('[https://search.example.com]', '[]'),
      expected: ['p.yml:13:16 pipelines[0].outputs[0].hosts: needs at least 1 item, got 0'],
    },
    {
      name: 'a value outside an enumeration',
      text: edit('        index: alb-%{+YYYY.MM.dd}', '        index: alb-%{+YYYY.MM.dd}\n        action: indx'),
      expected: [
        'p.yml:15:17 pipelines[0].outputs[0].action: "indx" is not allowed (did you mean "index"?); expected one of: create, index',
      ],
    },
    {
      name: 'a date format that is neither a name nor a pattern',
      text: edit('        field: time', '        field: time\n        formats: [epoch_milis]'),
      expected: [
        'p.yml:11:19 pipelines[0].filters[0].formats[0]: unknown format "epoch_milis" (did you mean "epoch_millis"?); expected one of iso8601, epoch_seconds, epoch_millis, clf, s3_access, tai64n, ISO8601, UNIX, UNIX_MS, TAI64N, or a pattern such as yyyy-MM-dd HH:mm:ss',
      ],
    },
    {
      name: 'a value matching neither option of a union',
      text: edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      start_time: yesterday'),
      expected: [
        'p.yml:7:19 pipelines[0].source.start_time: expected "now", "beginning", an ISO 8601 timestamp or an ISO 8601 date, got "yesterday"',
      ],
    },
    {
      name: 'a pipeline id with capitals',
      text: edit('  - id: alb', '  - id: ALB'),
      expected: [
        'p.yml:2:9 pipelines[0].id: use lowercase letters, digits, - and _ (at most 63 characters), got "ALB"',
      ],
    },
    {
      name: 'a rule pairing two keys of a component',
      text: edit('        field: time', '        date_field: date'),
      expected: ['p.yml:9:9 pipelines[0].filters[0]: date_field and time_field go together (CloudFront)'],
    },
    {
      name: 'a rule needing one of two keys of a component',
      text: edit('        field: time', '        tag_on_failure: no_date'),
      expected: ['p.yml:9:9 pipelines[0].filters[0]: set either field, or date_field with time_field'],
    },
    {
      name: 'a rule excluding two keys of a component together',
      text: edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      prefixes: [ALB/]'),
      expected: ['p.yml:6:15 pipelines[0].source.prefix: give either `prefix` or `prefixes`, not both'],
    },
    {
      name: 'an unknown condition key in an output when',
      text: edit(
        '        index: alb-%{+YYYY.MM.dd}',
        '        index: alb-%{+YYYY.MM.dd}\n        when: { equal: { field: elb_status_code, value: 500 } }',
      ),
      expected: ['p.yml:15:17 pipelines[0].outputs[0].when.equal: unknown key "equal" (did you mean "equals"?)'],
    },
    {
      name: 'an unknown condition key nested in an output when',
      text: edit(
        '        index: alb-%{+YYYY.MM.dd}',
        '        index: alb-%{+YYYY.MM.dd}\n        when:\n          any:\n            - exists: client_ip\n            - matchs: { field: request_url, pattern: "^/api" }',
      ),
      expected: [
        'p.yml:18:15 pipelines[0].outputs[0].when.any[1].matchs: unknown key "matchs" (did you mean "matches"?)',
      ],
    },
    {
      name: 'two condition keys in one output when',
      text: edit(
        '        index: alb-%{+YYYY.MM.dd}',
        '        index: alb-%{+YYYY.MM.dd}\n        when: { exists: client_ip, equals: { field: a, value: 1 } }',
      ),
      expected: [
        'p.yml:15:15 pipelines[0].outputs[0].when: a condition takes exactly one of equals, in, matches, exists, gt, gte, lt, lte, between, all, any, not; found equals, exists (nest them under all: or any:)',
      ],
    },
    {
      name: 'an invalid pattern in an output when',
      text: edit(
        '        index: alb-%{+YYYY.MM.dd}',
        '        index: alb-%{+YYYY.MM.dd}\n        when: { matches: { field: request_url, pattern: "[" } }',
      ),
      expected: [
        'p.yml:15:57 pipelines[0].outputs[0].when.matches.pattern: "[" is not a valid JavaScript regular expression',
      ],
    },
    {
      name: 'an unknown condition key in a filter when',
      text: edit('        field: time', '        field: time\n        when: { exist: time }'),
      expected: ['p.yml:11:17 pipelines[0].filters[0].when.exist: unknown key "exist" (did you mean "exists"?)'],
    },
    {
      name: 'an empty file',
      text: '# nothing yet\n',
      expected: ['p.yml:1:1 the file is empty: it needs a "pipelines:" list'],
    },
    {
      name: 'a file holding a list',
      text: '- id: alb\n',
      expected: ['p.yml:1:1 expected a map with a "pipelines:" list at the top of the file, got a list'],
    },
    {
      name: 'no pipelines',
      text: 'pipelines: []\n',
      expected: ['p.yml:1:12 pipelines: needs at least 1 item, got 0'],
    },
    {
      name: 'no outputs',
      text: edit(
        '    outputs:\n      - type: opensearch\n        hosts: [https://search.example.com]\n        index: alb-%{+YYYY.MM.dd}\n',
        '    outputs: []\n',
      ),
      expected: ['p.yml:11:14 pipelines[0].outputs: needs at least 1 item, got 0'],
    },
  ])('reports $name with its position', async ({ text, expected }) => {
    expect(await problemsOfText(text)).toEqual(expected);
  });

  it.each([
    {
      name: 'aliases that expand past the limit (a billion laughs file)',
      text: `${VALID}laughs:
  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
`,
      expected: [
        'p.yml:18:10 YAML aliases expand to too many values (more than 100 alias uses): a file like this can exhaust memory; write the values out or use fewer aliases',
      ],
    },
    {
      name: 'an alias to an anchor that is not defined before it',
      text: edit('    parser: { type: alb }', '    parser: *parser'),
      expected: ['p.yml:7:13 YAML alias *parser names no anchor defined before it (write &parser on an earlier value)'],
    },
    {
      name: 'a merge key whose value is not a map',
      text: edit('    parser: { type: alb }', '    parser:\n      <<: 5\n      type: alb'),
      expected: [expect.stringMatching(/^p\.yml:8:7 YAML merge key "<<" must name a map or a list of maps/)],
    },
    {
      name: 'a key given twice',
      text: edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      prefix: ELB/'),
      expected: ['p.yml:7:7 duplicate key "prefix": each key may appear once in a map'],
    },
    {
      name: 'a key indented less than its neighbours',
      text: edit('      prefix: AWSLogs/', '     prefix: AWSLogs/'),
      expected: ['p.yml:6:1 YAML syntax error: All mapping items must start at the same column'],
    },
  ])('reports $name at its position instead of throwing', async ({ text, expected }) => {
    expect(await problemsOfText(text)).toEqual(expected);
  });

  it('merges YAML merge keys so shared settings are written once', async () => {
    const text = edit(
      '      - type: opensearch\n        hosts: [https://search.example.com]\n        index: alb-%{+YYYY.MM.dd}\n',
      '      - &opensearch { type: opensearch, hosts: [https://search.example.com], index: "alb-%{+YYYY.MM.dd}" }\n' +
        '      - <<: *opensearch\n        index: copy-%{+YYYY.MM.dd}\n',
    );
    const loaded = await loadConfig(join(folder({ 'p.yml': text }), 'p.yml'), {});
    expect(loaded.pipelines[0]!.config.outputs).toEqual([
      expect.objectContaining({
        type: 'opensearch',
        hosts: ['https://search.example.com'],
        index: 'alb-%{+YYYY.MM.dd}',
      }),
      expect.objectContaining({
        type: 'opensearch',
        hosts: ['https://search.example.com'],
        index: 'copy-%{+YYYY.MM.dd}',
      }),
    ]);
  });

  it('warns about a YAML tag it does not know, at its position', async () => {
    const loaded = await loadConfig(
      join(folder({ 'p.yml': edit('bucket: my-logs', 'bucket: !Ref my-logs\n      start_time: now') }), 'p.yml'),
      {},
    );
    expect(loaded.warnings).toEqual([
      expect.objectContaining({ line: 5, message: expect.stringContaining('YAML: Unresolved tag: !Ref') }),
    ]);
  });

  it('hints at quotes when ${VAR} sits unquoted inside a flow map', async () => {
    expect(
      await problemsOfText(edit('    parser: { type: alb }', '    parser: { type: ${PARSER} }'), { PARSER: 'alb' }),
    ).toEqual([
      'p.yml:7:22 YAML syntax error: Unexpected flow-map-start at node end; inside { } or [ ], quote values that use ${VAR}: "${VAR}"',
    ]);
  });

  it('reports a duplicate pipeline id across two files of a folder when both define it', async () => {
    const dir = folder({ 'a.yml': VALID, 'b.yaml': edit('bucket: my-logs', 'bucket: other-logs'), 'notes.txt': 'x' });
    expect(await problems(dir)).toEqual([
      'b.yaml:2:9 pipelines[0].id: duplicate pipeline id "alb" (first defined in a.yml); ids name checkpoints and must be unique',
    ]);
  });

  it('reports a duplicate pipeline id inside one file when it is repeated', async () => {
    const second = VALID.replace('pipelines:\n', '');
    expect(await problemsOfText(VALID + second)).toEqual([
      'p.yml:16:9 pipelines[1].id: duplicate pipeline id "alb" (first defined in p.yml); ids name checkpoints and must be unique',
    ]);
  });

  it('loads every YAML file of a folder in name order when they are valid', async () => {
    const dir = folder({
      'b.yml': edit('  - id: alb', '  - id: second'),
      'a.yaml': VALID,
      'README.md': '# not config',
    });
    const loaded = await loadConfig(dir, {});
    expect(loaded.files).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yml')]);
    expect(loaded.pipelines.map((p) => [p.config.id, p.file])).toEqual([
      ['alb', join(dir, 'a.yaml')],
      ['second', join(dir, 'b.yml')],
    ]);
  });

  it('reports every problem of every file at once when several files are wrong', async () => {
    const dir = folder({
      '1-syntax.yml': 'pipelines:\n  - id: [\n',
      '2-schema.yml': edit('bucket: my-logs', 'bukcet: my-logs', edit('{ type: alb }', '{ type: wav }')),
      '3-env.yml': edit('bucket: my-logs', 'bucket: ${LOG_BUCKET}'),
      '4-valid.yml': edit('  - id: alb', '  - id: fine'),
    });
    expect(await problems(dir)).toEqual([
      '1-syntax.yml:3:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
      '2-schema.yml:4:7 pipelines[0].source.bucket: missing required key "bucket"',
      '2-schema.yml:5:7 pipelines[0].source.bukcet: unknown key "bukcet" (did you mean "bucket"?)',
      '2-schema.yml:7:21 pipelines[0].parser.type: unknown type "wav" (did you mean "waf"?); expected one of: alb, alb_connection, elb, nlb, waf, cloudfront, s3_access, vpc_flow, vpc_flow_parquet, cloudtrail, json_lines, lines',
      // 2-schema.yml's pipeline is refused, but its id parsed: 3-env.yml's repeats it.
      '3-env.yml:2:9 pipelines[0].id: duplicate pipeline id "alb" (first defined in 2-schema.yml); ids name checkpoints and must be unique',
      '3-env.yml:5:15 pipelines[0].source.bucket: environment variable LOG_BUCKET is not set (use ${LOG_BUCKET:-default} for an optional value)',
    ]);
  });

  it('reports a folder with no YAML files', async () => {
    const dir = folder({ 'README.md': '# nothing' });
    await expect(loadConfig(dir, {})).rejects.toThrow(`${dir}:0:0 the folder holds no .yml or .yaml file`);
  });

  it('reports a path that does not exist', async () => {
    const missing = join(root, 'nowhere.yml');
    await expect(loadConfig(missing, {})).rejects.toThrow(
      `${missing}:0:0 no such file or folder; give a YAML file or a folder of them`,
    );
  });

  it('names a file under the working directory relative to it', async () => {
    const dir = join(process.cwd(), '.cache', `config-test-${process.pid}-${counter++}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'p.yml'), edit('{ type: alb }', '{ type: nope }'));
      await expect(loadConfig(join(dir, 'p.yml'), {})).rejects.toThrow(
        new RegExp(
          `^\\.cache/config-test-${process.pid}-\\d+/p\\.yml:7:21 pipelines\\[0\\]\\.parser\\.type: unknown type "nope"`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadConfig with environment variables', () => {
  const secretOutput = (password: string) =>
    edit(
      '        index: alb-%{+YYYY.MM.dd}',
      `        index: alb-%{+YYYY.MM.dd}\n        auth:\n          type: basic\n          username: \${OPENSEARCH_USERNAME}\n          password: ${password}`,
    );

  it('substitutes variables and defaults when they are set or not', async () => {
    const text = edit(
      'bucket: my-logs',
      'bucket: ${LOG_BUCKET}',
      edit('prefix: AWSLogs/', 'prefix: ${LOG_PREFIX:-AWSLogs/}'),
    );
    const dir = folder({ 'p.yml': text });
    const loaded = await loadConfig(dir, { LOG_BUCKET: 'from-env' });
    expect(loaded.pipelines[0]!.config.source).toMatchObject({ bucket: 'from-env', prefix: 'AWSLogs/' });
    const overridden = await loadConfig(dir, { LOG_BUCKET: 'from-env', LOG_PREFIX: 'ALB/' });
    expect(overridden.pipelines[0]!.config.source).toMatchObject({ prefix: 'ALB/' });
  });

  it('names a missing variable and points at its line', async () => {
    expect(await problemsOfText(secretOutput('"${OPENSEARCH_PASSWORD}"'), { OPENSEARCH_USERNAME: 'admin' })).toEqual([
      'p.yml:18:21 pipelines[0].outputs[0].auth.password: environment variable OPENSEARCH_PASSWORD is not set (use ${OPENSEARCH_PASSWORD:-default} for an optional value)',
    ]);
  });

  it('keeps a literal ${...} when it is escaped as $${...}', async () => {
    const dir = folder({ 'p.yml': edit('index: alb-%{+YYYY.MM.dd}', 'index: alb-$${NOT_A_VAR}-%{+YYYY.MM.dd}') });
    const loaded = await loadConfig(dir, {});
    expect(loaded.pipelines[0]!.config.outputs[0]).toMatchObject({ index: 'alb-${NOT_A_VAR}-%{+YYYY.MM.dd}' });
  });

  it('types a number in a plain scalar and keeps it a string in a quoted one', async () => {
    const text = edit(
      '      prefix: AWSLogs/',
      '      prefix: "${PREFIX}"\n      poll_interval_seconds: ${POLL}\n      force_path_style: ${PATH_STYLE}',
    );
    const loaded = await loadConfig(folder({ 'p.yml': text }), { PREFIX: '2024', POLL: '15', PATH_STYLE: 'true' });
    expect(loaded.pipelines[0]!.config.source).toMatchObject({
      prefix: '2024',
      poll_interval_seconds: 15,
      force_path_style: true,
    });
  });

  it('suggests quotes when a plain variable holding a number meets a string field', async () => {
    expect(
      await problemsOfText(secretOutput('${OPENSEARCH_PASSWORD}'), {
        OPENSEARCH_USERNAME: 'admin',
        OPENSEARCH_PASSWORD: '31415926',
      }),
    ).toEqual([
      'p.yml:18:21 pipelines[0].outputs[0].auth.password: expected a string, got an integer (quote it to keep it text: "${OPENSEARCH_PASSWORD}")',
    ]);
  });

  it.each([
    {
      name: 'an invalid URL',
      edit: (secret: string) => edit('[https://search.example.com]', `["\${OPENSEARCH_URL}"]`, secretOutput(secret)),
      env: { OPENSEARCH_URL: 'hunter2-not-a-url' },
      expected: [
        'p.yml:13:17 pipelines[0].outputs[0].hosts[0]: the value of ${OPENSEARCH_URL} is not a valid URL; write the scheme and host, e.g. https://search.example.com:443',
      ],
    },
    {
      name: 'an unknown type',
      edit: (secret: string) => edit('{ type: alb }', '{ type: "${PARSER}" }', secretOutput(secret)),
      env: { PARSER: 'hunter2-type' },
      expected: [
        'p.yml:7:21 pipelines[0].parser.type: unknown type the value of ${PARSER}; expected one of: alb, alb_connection, elb, nlb, waf, cloudfront, s3_access, vpc_flow, vpc_flow_parquet, cloudtrail, json_lines, lines',
      ],
    },
    {
      name: 'a too-small number',
      edit: (secret: string) =>
        edit('prefix: AWSLogs/', 'prefix: AWSLogs/\n      poll_interval_seconds: ${POLL}', secretOutput(secret)),
      env: { POLL: '-1234567' },
      expected: [
        'p.yml:7:30 pipelines[0].source.poll_interval_seconds: must be greater than 0, got the value of ${POLL}',
      ],
    },
    {
      name: 'a pattern mismatch',
      edit: (secret: string) => edit('  - id: alb', '  - id: "${PIPELINE_ID}"', secretOutput(secret)),
      env: { PIPELINE_ID: 'Hunter2-Secret' },
      expected: [
        'p.yml:2:9 pipelines[0].id: use lowercase letters, digits, - and _ (at most 63 characters), got the value of ${PIPELINE_ID}',
      ],
    },
  ])('never echoes a value from the environment when $name came from it', async ({ edit: make, env, expected }) => {
    const all = { ...env, OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: 'hunter2-password' };
    const found = await problemsOfText(make('"${OPENSEARCH_PASSWORD}"'), all);
    expect(found).toEqual(expected);
    for (const value of Object.values(all)) expect(found.join('\n')).not.toContain(value);
  });

  it('masks a value from the environment even when a schema message would quote it', async () => {
    // A wrong-typed nested value makes zod describe the whole map in some messages; none may leak.
    const text = edit('      prefix: AWSLogs/', '      prefix: AWSLogs/\n      include: ["${INCLUDE}"]');
    const found = await problemsOfText(text, { INCLUDE: '(hunter2' });
    expect(found).toEqual([
      'p.yml:7:17 pipelines[0].source.include[0]: the value of ${INCLUDE} is not a valid regular expression',
    ]);
  });
});

describe('loadConfig with Logstash option names', () => {
  it.each([
    [
      'interval',
      'source',
      edit('      prefix: AWSLogs/', '      interval: 60'),
      "Logstash's interval is poll_interval_seconds",
    ],
    [
      'sincedb_path',
      'source',
      edit('      prefix: AWSLogs/', '      sincedb_path: /tmp/x'),
      'checkpoint (type s3 or dynamodb), and start_time',
    ],
    [
      'exclude_pattern',
      'source',
      edit('      prefix: AWSLogs/', '      exclude_pattern: x'),
      'exclude (regular expressions',
    ],
    [
      'delete',
      'source',
      edit('      prefix: AWSLogs/', '      delete: true'),
      'expire objects with an S3 lifecycle rule',
    ],
    ['backup_to_bucket', 'source', edit('      prefix: AWSLogs/', '      backup_to_bucket: b'), 'S3 replication'],
    [
      'user',
      'outputs[0]',
      edit('        index: alb-%{+YYYY.MM.dd}', '        index: alb-%{+YYYY.MM.dd}\n        user: x'),
      'auth: { type: basic, username, password }',
    ],
  ])('says what sluice calls %s when it is written under %s', async (key, at, text, hint) => {
    const [problem, ...rest] = await problemsOfText(text);
    expect(rest).toEqual([]);
    expect(problem).toContain(`pipelines[0].${at}.${key}: unknown key "${key}" (`);
    expect(problem).toContain(hint);
    expect(problem).not.toContain('did you mean');
  });
});
