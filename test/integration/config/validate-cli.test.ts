import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geoipDatabasePath } from '../../helpers/services.js';

// Spawns the built CLI (`npm run build` first; `npm test` does it). Needs no services.
const repoRoot = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sluice(args: string[], env: Record<string, string> = {}, cwd = repoRoot): Promise<Result> {
  return new Promise((resolveRun, reject) => {
    // A clean environment: only what the case gives, so variables of the test runner cannot leak in.
    const child = spawn(process.execPath, [join(repoRoot, 'bin/sluice.js'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

const VALID = `pipelines:
  - id: web
    source: { type: file, path: logs }
    parser: { type: alb }
    outputs:
      - type: stdout
    checkpoint: { type: file, directory: state }
`;

/** Valid for the schema; every file and pattern in it fails when the pipeline is built. */
const UNBUILDABLE = `pipelines:
  - id: built
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
      - type: geoip
        database: GeoLite2-City.mmdb
        source: client_ip
    outputs:
      - type: file
        path: out/alb-%{+YYYY.MM.dd}.ndjson
      - type: opensearch
        hosts: ["https://search.example.com"]
        index: alb-%{+yyyy.MM.dd}
        tls: { ca_file: ca.pem, cert_file: client.pem, key_file: client.key }
      - type: opensearch
        hosts: ["https://search.example.com"]
        index: alb-%{+YYYY.MM.dd}
        template: { file: template.json }
    checkpoint: { type: file, directory: state }
`;

/**
 * Schema problems (an unknown key in one filter, a parser type, a variable not set) beside build
 * problems in the parts that parsed (a GeoIP database, a template file). The filter with the
 * unknown key and the one whose database path lacks its variable name files that do not exist
 * either: they are not built, so nothing is said about those files.
 */
const MIXED = `pipelines:
  - id: web
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
      - { type: geoip, source: client_ip, database: City.mmdb, colour: red }
      - { type: geoip, source: client_ip, database: Missing.mmdb }
    outputs:
      - type: opensearch
        hosts: ["https://search.example.com"]
        index: alb-%{+yyyy.MM.dd}
        template: { file: template.json }
    checkpoint: { type: file, directory: state }
  - id: other
    source: { type: file, path: logs }
    parser: { type: albb }
    filters:
      - { type: geoip, source: client_ip, database: Other.mmdb }
      - { type: geoip, source: client_ip, database: "\${GEO_DIR}/x.mmdb" }
    outputs:
      - type: stdout
    checkpoint: { type: file, directory: state }
`;

/** Valid for the schema, beside MIXED in one folder: its build problem is listed with MIXED's. */
const BUILD_ONLY = `pipelines:
  - id: third
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
      - { type: geoip, source: client_ip, database: City.mmdb }
    outputs:
      - type: stdout
    checkpoint: { type: file, directory: state }
`;

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  mkdirSync(join(dir, 'unbuildable'));
  writeFileSync(join(dir, 'unbuildable', 'p.yml'), UNBUILDABLE);
  mkdirSync(join(dir, 'many'));
  writeFileSync(join(dir, 'valid.yml'), VALID);
  writeFileSync(
    join(dir, 'many', 'a.yml'),
    VALID.replace('{ type: alb }', '{ type: albb }').replace(
      '      - type: stdout',
      '      - type: stdout\n        colour: true',
    ),
  );
  writeFileSync(join(dir, 'many', 'b.yml'), VALID.replace('path: logs', 'path: logs, poll_interval_seconds: -1'));
  writeFileSync(join(dir, 'many', 'c.yml'), 'pipelines:\n  - id: [\n');
  writeFileSync(
    join(dir, 'secret.yml'),
    VALID.replace(
      '      - type: stdout',
      '      - type: file\n        path: ${OUT_DIR}/x.ndjson\n        when: { equals: "${TOKEN}" }',
    ),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sluice validate', () => {
  it('exits 0 and names the pipelines when the config is valid', async () => {
    const result = await sluice(['validate', '--config', join(dir, 'valid.yml')]);
    expect(result).toEqual({ code: 0, stdout: 'ok: 1 pipeline(s) in 1 file(s): web\n', stderr: '' });
  });

  it('exits 78 and prints every problem of every file as file:line:col path: message when a folder is invalid', async () => {
    const result = await sluice(['validate', '--config', 'many'], {}, dir);
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'many/a.yml:4:21 pipelines[0].parser.type: unknown type "albb" (did you mean "alb"?); expected one of: alb, alb_connection, elb, nlb, waf, cloudfront, s3_access, vpc_flow, vpc_flow_parquet, cloudtrail, json_lines, lines',
      'many/a.yml:7:9 pipelines[0].outputs[0].colour: unknown key "colour"; allowed keys: type, when',
      // Both files name their pipeline web: a file the schema refuses still has its ids compared.
      'many/b.yml:2:9 pipelines[0].id: duplicate pipeline id "web" (first defined in many/a.yml); ids name checkpoints and must be unique',
      'many/b.yml:3:62 pipelines[0].source.poll_interval_seconds: must be greater than 0, got -1',
      'many/c.yml:3:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
      '5 problem(s) in many',
      '',
    ]);
  });

  it('reads the config from SLUICE_CONFIG when --config is not given', async () => {
    const result = await sluice(['validate'], { SLUICE_CONFIG: join(dir, 'many', 'b.yml') });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${join(dir, 'many', 'b.yml')}:3:62 pipelines[0].source.poll_interval_seconds`);
  });

  it('exits 78 naming missing variables and never printing a secret when values come from the environment', async () => {
    const result = await sluice(['validate', '--config', join(dir, 'secret.yml')], { TOKEN: 'hunter2-token' });
    expect(result.code).toBe(78);
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr.split('\n')).toEqual([
      `${join(dir, 'secret.yml')}:7:15 pipelines[0].outputs[0].path: environment variable OUT_DIR is not set (use \${OUT_DIR:-default} for an optional value)`,
      `${join(dir, 'secret.yml')}:8:25 pipelines[0].outputs[0].when.equals: expected a map (key: value), got a string`,
      `2 problem(s) in ${join(dir, 'secret.yml')}`,
      '',
    ]);
  });

  it('exits 78 listing every file that does not open, each at the setting that names it, when the schema holds', async () => {
    const base = join(dir, 'unbuildable');
    const result = await sluice(['validate', '--config', 'p.yml'], {}, base);
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    const enoent = (call: string, file: string) => `ENOENT: no such file or directory, ${call} '${join(base, file)}'`;
    expect(result.stderr.split('\n')).toEqual([
      `p.yml:7:19 pipelines[0].filters[0].database: cannot open GeoIP database ${join(base, 'GeoLite2-City.mmdb')}: ${enoent('stat', 'GeoLite2-City.mmdb')}`,
      `p.yml:15:25 pipelines[0].outputs[1].tls.ca_file: cannot read the ca_file file ${join(base, 'ca.pem')}: ${enoent('open', 'ca.pem')}`,
      `p.yml:15:44 pipelines[0].outputs[1].tls.cert_file: cannot read the cert_file file ${join(base, 'client.pem')}: ${enoent('open', 'client.pem')}`,
      `p.yml:15:66 pipelines[0].outputs[1].tls.key_file: cannot read the key_file file ${join(base, 'client.key')}: ${enoent('open', 'client.key')}`,
      `p.yml:19:27 pipelines[0].outputs[2].template.file: cannot read index template file ${join(base, 'template.json')}: ${enoent('open', 'template.json')}`,
      '5 problem(s) in p.yml',
      '',
    ]);
    // Building contacts nothing and writes nothing: no checkpoint folder, no output file.
    expect(existsSync(join(base, 'state'))).toBe(false);
    expect(existsSync(join(base, 'out'))).toBe(false);
  });

  it('exits 78 listing every problem of one component at once when an OpenSearch output misses its CA and its template and a GeoIP filter both databases', async () => {
    const base = mkdtempSync(join(dir, 'component-'));
    writeFileSync(
      join(base, 'p.yml'),
      `pipelines:
  - id: both
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
      - { type: geoip, source: client_ip, database: City.mmdb, asn_database: ASN.mmdb }
    outputs:
      - type: opensearch
        hosts: ["https://search.example.com"]
        index: alb-%{+yyyy.MM.dd}
        tls: { ca_file: ca.pem }
        template: { file: template.json }
    checkpoint: { type: file, directory: state }
`,
    );
    const result = await sluice(['validate', '--config', 'p.yml'], {}, base);
    expect(result.code).toBe(78);
    const enoent = (call: string, file: string) => `ENOENT: no such file or directory, ${call} '${join(base, file)}'`;
    expect(result.stderr.split('\n')).toEqual([
      `p.yml:6:53 pipelines[0].filters[0].database: cannot open GeoIP database ${join(base, 'City.mmdb')}: ${enoent('stat', 'City.mmdb')}`,
      `p.yml:6:78 pipelines[0].filters[0].asn_database: cannot open GeoIP database ${join(base, 'ASN.mmdb')}: ${enoent('stat', 'ASN.mmdb')}`,
      `p.yml:11:25 pipelines[0].outputs[0].tls.ca_file: cannot read the ca_file file ${join(base, 'ca.pem')}: ${enoent('open', 'ca.pem')}`,
      `p.yml:12:27 pipelines[0].outputs[0].template.file: cannot read index template file ${join(base, 'template.json')}: ${enoent('open', 'template.json')}`,
      '4 problem(s) in p.yml',
      '',
    ]);
  });

  // A schema problem anywhere used to hide every build problem: this folder printed only its 3 schema problems.
  it.each([
    { name: 'validate', command: ['validate'] },
    { name: 'run --once', command: ['run', '--once'] },
    { name: 'backfill', command: ['backfill', '--from', '2024-01-01'] },
  ])(
    'exits 78 listing schema and build problems together, by file and position, building only the parts that parsed, when $name reads them',
    async ({ command }) => {
      const base = mkdtempSync(join(dir, 'mixed-'));
      mkdirSync(join(base, 'pipelines'));
      writeFileSync(join(base, 'pipelines', 'a.yml'), MIXED);
      writeFileSync(join(base, 'pipelines', 'b.yml'), BUILD_ONLY);
      const result = await sluice([...command, '--config', 'pipelines'], { SLUICE_HTTP_PORT: '0' }, base);
      expect(result.code, result.stderr).toBe(78);
      const at = (file: string) => join(base, file);
      const enoent = (call: string, file: string) => `ENOENT: no such file or directory, ${call} '${at(file)}'`;
      const problems = [
        'pipelines/a.yml:6:64 pipelines[0].filters[0].colour: unknown key "colour"; allowed keys: type, database, asn_database, source, target, cache_size, tag_on_failure, tag_on_unknown, when',
        `pipelines/a.yml:7:53 pipelines[0].filters[1].database: cannot open GeoIP database ${at('pipelines/Missing.mmdb')}: ${enoent('stat', 'pipelines/Missing.mmdb')}`,
        `pipelines/a.yml:12:27 pipelines[0].outputs[0].template.file: cannot read index template file ${at('pipelines/template.json')}: ${enoent('open', 'pipelines/template.json')}`,
        'pipelines/a.yml:16:21 pipelines[1].parser.type: unknown type "albb" (did you mean "alb"?); expected one of: alb, alb_connection, elb, nlb, waf, cloudfront, s3_access, vpc_flow, vpc_flow_parquet, cloudtrail, json_lines, lines',
        `pipelines/a.yml:18:53 pipelines[1].filters[0].database: cannot open GeoIP database ${at('pipelines/Other.mmdb')}: ${enoent('stat', 'pipelines/Other.mmdb')}`,
        'pipelines/a.yml:19:53 pipelines[1].filters[1].database: environment variable GEO_DIR is not set (use ${GEO_DIR:-default} for an optional value)',
        `pipelines/b.yml:6:53 pipelines[0].filters[0].database: cannot open GeoIP database ${at('pipelines/City.mmdb')}: ${enoent('stat', 'pipelines/City.mmdb')}`,
      ];
      // run and backfill log the problems as JSON too, then print the same lines.
      const lines = result.stderr.split('\n').filter((line) => !line.startsWith('{'));
      expect(lines).toEqual(
        command[0] === 'validate' ? [...problems, '7 problem(s) in pipelines', ''] : [...problems, ''],
      );
      // Nothing written: no checkpoint of any pipeline, no output.
      expect(existsSync(join(base, 'pipelines', 'state'))).toBe(false);
      expect(existsSync(join(base, 'pipelines', 'out'))).toBe(false);
    },
  );

  it('exits 78 naming each pattern with a date token it does not know', async () => {
    const base = mkdtempSync(join(dir, 'tokens-'));
    const text = UNBUILDABLE.replace('alb-%{+YYYY.MM.dd}.ndjson', 'alb-%{+YYYY.MM.DD}.ndjson').replace(
      'index: alb-%{+yyyy.MM.dd}',
      'index: alb-%{+yyyy.MM.dd.Q}',
    );
    writeFileSync(join(base, 'p.yml'), text);
    const result = await sluice(['validate', '--config', 'p.yml'], {}, base);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('p.yml:11:15 pipelines[0].outputs[0].path: unsupported date token at "DD"');
    expect(result.stderr).toContain('p.yml:14:16 pipelines[0].outputs[1].index: unsupported date token at "Q"');
  });

  it('exits 0 when every file the config names opens and every pattern compiles', async () => {
    const base = join(dir, 'buildable');
    mkdirSync(base);
    writeFileSync(join(base, 'ca.pem'), 'a CA bundle is read at build; TLS parses it when it connects\n');
    writeFileSync(join(base, 'template.json'), '{"template":{"mappings":{}}}');
    const fixed = UNBUILDABLE.replace('database: GeoLite2-City.mmdb', `database: ${geoipDatabasePath()}`).replace(
      ', cert_file: client.pem, key_file: client.key',
      '',
    );
    writeFileSync(join(base, 'p.yml'), fixed);
    const result = await sluice(['validate', '--config', 'p.yml'], {}, base);
    expect(result).toEqual({ code: 0, stdout: 'ok: 1 pipeline(s) in 1 file(s): built\n', stderr: '' });
  });

  it.each([
    { name: 'validate', command: ['validate'] },
    { name: 'run --once', command: ['run', '--once'] },
  ])('exits 78 with the position and no stack when $name reads a billion-laughs YAML file', async ({ command }) => {
    const laughs = `${VALID}laughs:
  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
`;
    const base = mkdtempSync(join(dir, 'laughs-'));
    writeFileSync(join(base, 'laughs.yml'), laughs);
    const result = await sluice([...command, '--config', 'laughs.yml'], { SLUICE_HTTP_PORT: '0' }, base);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(
      'laughs.yml:10:10 YAML aliases expand to too many values (more than 100 alias uses): a file like this can exhaust memory',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 78 when the path does not exist', async () => {
    const result = await sluice(['validate', '--config', join(dir, 'nowhere')]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${join(dir, 'nowhere')}:0:0 no such file or folder`);
  });

  it('validates the shipped examples when their variables are set', async () => {
    const result = await sluice(['validate', '--config', 'pipelines'], {
      ALB_LOG_BUCKET: 'alb-logs',
      WAF_LOG_BUCKET: 'waf-logs',
      SLUICE_STATE_BUCKET: 'state',
      OPENSEARCH_USERNAME: 'sluice',
      OPENSEARCH_PASSWORD: 'secret',
      // validate opens what the pipelines name: the GeoIP database and the CA bundle.
      GEOIP_DATABASE: geoipDatabasePath(),
      OPENSEARCH_CA_FILE: join(dir, 'valid.yml'),
      // Building them creates the S3 clients, whose SDK warns on stderr when Node is older than 22.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(result).toEqual({ code: 0, stdout: 'ok: 2 pipeline(s) in 2 file(s): alb, waf\n', stderr: '' });
  });
});
