import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { Route } from '../../../src/cli/parse-routes.js';
import { albKey, albLine } from '../../helpers/alb-data.js';
import {
  awsEndpoint,
  geoipDatabasePath,
  openSearchUrl,
  testOpenSearchClient,
  testS3Client,
  uniqueName,
} from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/sluice.js');

async function sluice(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const ALB_2016 =
  'https 2016-08-10T23:39:43.065466Z app/my-loadbalancer/50dc6c495c0c9188 [2001:db8::1]:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259"';
const ALB_NEW =
  'h2 2024-05-01T00:00:01.000000Z app/my-lb/50dc6c495c0c9188 2001:db8::42:51000 10.0.0.1:443 0.001 0.002 0.000 200 200 50 700 "GET https://shop.example.com:443/a b?c=\\"d\\" HTTP/2.0" "Mozilla/5.0 (X)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1 "Root=1-abc" "shop.example.com" "arn:aws:acm:us-east-1:123456789012:certificate/x" 1 2024-05-01T00:00:00.999000Z "waf,forward" "-" "-" "10.0.0.1:443" "200" "-" "-" TID_1234 "-" "future-field"';

describe('sluice parse', () => {
  it('prints one event per line for gzip (multi-member) input and reports bad records on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-'));
    const file = join(dir, 'alb.log.gz');
    // Two gzip members, as log shippers concatenate them; one broken line in between.
    writeFileSync(file, Buffer.concat([gzipSync(`${ALB_2016}\nnot an alb line\n`), gzipSync(`${ALB_NEW}\n`)]));
    const result = await sluice(['parse', '--parser', 'alb', file]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      type: 'https',
      client_port: 2817,
      elb_status_code: 200,
      request_protocol: 'HTTP/1.1',
    });
    expect(events[1]).toMatchObject({
      type: 'h2',
      client_ip: '2001:db8::42',
      client_port: 51000,
      request_url: 'https://shop.example.com:443/a b?c="d"',
      request_protocol: 'HTTP/2.0',
      redirect_url: null,
      conn_trace_id: 'TID_1234',
    });
    const errors = result.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(errors).toEqual([expect.objectContaining({ record: 2, code: 'ERR_RECORD_PARSE', raw: 'not an alb line' })]);
  });

  it('exits 65 with --fail-on-error when a record does not parse, and 0 with it when every record parses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-fail-'));
    const bad = join(dir, 'bad.log');
    const good = join(dir, 'good.log');
    writeFileSync(bad, `${ALB_2016}\nnot an alb line\n`);
    writeFileSync(good, `${ALB_2016}\n${ALB_NEW}\n`);
    const failing = await sluice(['parse', '--parser', 'alb', '--fail-on-error', good, bad]);
    expect(failing.code).toBe(65);
    // Every event is still printed and every failure reported: the exit code is the only change.
    expect(failing.stdout.trim().split('\n')).toHaveLength(3);
    expect(failing.stderr).toContain('"code":"ERR_RECORD_PARSE"');
    expect((await sluice(['parse', '--parser', 'alb', '--fail-on-error', good])).code).toBe(0);
    expect((await sluice(['parse', '--parser', 'alb', bad])).code).toBe(0);
  });

  it("applies a pipeline's filters when --pipeline is given", async () => {
    const result = await sluice([
      'parse',
      '--config',
      'examples/demo/demo.yml',
      '--pipeline',
      'demo-waf',
      'examples/demo/logs/AWSLogs/123456789012/WAFLogs/us-east-1/demo-acl/2024/05/01/00/05/123456789012_waflogs_us-east-1_demo-acl_20240501T0005Z_00000005.log.gz',
    ]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { '@timestamp': string; httpRequest: { header_map: Record<string, string> } });
    expect(events).toHaveLength(60);
    expect(events[0]!['@timestamp']).toBe('2024-05-01T00:05:00.000Z');
    expect(events[0]!.httpRequest.header_map.authorization).toBe('[REDACTED]');
    expect(result.stdout).not.toContain('hunter2');
  });

  it('prints each event with the outputs it routes to when --show-route is given, the documents unchanged', async () => {
    const args = [
      'parse',
      '--config',
      'examples/demo/demo.yml',
      '--pipeline',
      'demo-waf',
      'examples/demo/logs/AWSLogs/123456789012/WAFLogs/us-east-1/demo-acl/2024/05/01/00/05/123456789012_waflogs_us-east-1_demo-acl_20240501T0005Z_00000005.log.gz',
    ];
    const plain = await sluice(args);
    const routed = await sluice([...args, '--show-route']);
    expect(routed.code, routed.stderr).toBe(0);
    const lines = routed.stdout.trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as { doc: { action: string }; routes: unknown[] });
    // The document of each line is byte for byte what parse prints without --show-route.
    expect(parsed.map(({ doc }) => `${JSON.stringify(doc)}\n`).join('')).toBe(plain.stdout);
    expect(lines.every((line, i) => line === JSON.stringify({ doc: parsed[i]!.doc, routes: parsed[i]!.routes }))).toBe(
      true,
    );
    const blocked = parsed.filter(({ doc }) => doc.action === 'BLOCK');
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.length).toBeLessThan(parsed.length);
    for (const { doc, routes } of parsed) {
      const expected = [{ output: 0, type: 'file' }];
      if (doc.action === 'BLOCK') expected.push({ output: 1, type: 'file' });
      expect(routes).toEqual(expected);
    }
  });

  it('exits 78 naming the setting when an output of the --show-route pipeline cannot be built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-route-'));
    const file = join(dir, 'one.log');
    writeFileSync(file, `${ALB_2016}\n`);
    const config = join(dir, 'p.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: bad-ca
    source: { type: file, path: logs }
    parser: { type: alb }
    outputs:
      - type: opensearch
        hosts: ["https://127.0.0.1:9"]
        index: alb
        tls: { ca_file: nowhere.pem }
    checkpoint: { type: file, directory: state }
`,
    );
    // Without --show-route the outputs are not built: the same pipeline parses.
    expect((await sluice(['parse', '--config', config, '--pipeline', 'bad-ca', file])).code).toBe(0);
    const result = await sluice(['parse', '--config', config, '--pipeline', 'bad-ca', '--show-route', file]);
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${config}:9:25 pipelines[0].outputs[0].tls.ca_file: cannot read the ca_file file ${join(dir, 'nowhere.pem')}`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 78 naming the setting when a filter of the --pipeline cannot be built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-'));
    const file = join(dir, 'one.log');
    writeFileSync(file, `${ALB_2016}\n`);
    const config = join(dir, 'p.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: geo
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
      - { type: geoip, source: client_ip, database: nowhere.mmdb }
    outputs: [ { type: stdout } ]
    checkpoint: { type: file, directory: state }
`,
    );
    const result = await sluice(['parse', '--config', config, '--pipeline', 'geo', file]);
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${config}:6:53 pipelines[0].filters[0].database: cannot open GeoIP database ${join(dir, 'nowhere.mmdb')}`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("redacts secrets in the raw text and the reason on stderr with the pipeline's filters when a line does not parse", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-redact-'));
    const config = join(dir, 'pipeline.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: redacting
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
      - { type: date, field: time }
      - { type: redact, pattern_fields: [request_url] }
    outputs: [ { type: stdout } ]
    checkpoint: { type: file, directory: checkpoints }
`,
    );
    // Line 2's client:port token holds the secret, so the parser's reason quotes it; line 3 is free text.
    const quoted = albLine(1, 2).split(' ');
    quoted[3] = 'login?password=hunter2';
    const file = join(dir, 'alb.log');
    writeFileSync(
      file,
      `${albLine(1, 1)}\n${quoted.join(' ')}\nGET https://shop.example.com/login?password=hunter2&user=bob HTTP/1.1\n`,
    );
    const result = await sluice(['parse', '--config', config, '--pipeline', 'redacting', file]);
    expect(result.code, result.stderr).toBe(0);
    const errors = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { record: number; code: string; reason: string; raw: string });
    expect(errors.map(({ record, code }) => [record, code])).toEqual([
      [2, 'ERR_RECORD_PARSE'],
      [3, 'ERR_RECORD_PARSE'],
    ]);
    expect(errors[0]!.reason).toContain('login?password=');
    expect(errors[1]!.raw).toContain('user=bob');
    expect(result.stderr).not.toContain('hunter2');
  });

  it.each([
    ['alb_connection', 'alb-connection-docs.log', 2, { client_ip: '203.0.113.1', tls_verify_status: 'Success' }],
    ['nlb', 'nlb-docs.log', 2, { destination_port: 443, alpn_client_preference_list: null }],
    ['vpc_flow_parquet', 'vpc-flow-default.parquet', 5, { srcaddr: '172.31.16.139', bytes: 4249 }],
  ])('prints the documents of a %s file when --parser names it', async (parser, file, count, first) => {
    const result = await sluice(['parse', '--parser', parser, join(ROOT, 'test/fixtures/parsers', file)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const docs = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(docs).toHaveLength(count);
    expect(docs[0]).toMatchObject(first);
  });

  it('reads a Parquet file from stdin whole, and says ERR_PARQUET for a file that is not one', async () => {
    const parquet = readFileSync(join(ROOT, 'test/fixtures/parsers/vpc-flow-default.parquet'));
    const piped = await new Promise<string>((done, fail) => {
      const child = execFile(process.execPath, [BIN, 'parse', '--parser', 'vpc_flow_parquet', '-'], (error, stdout) =>
        error ? fail(error) : done(stdout),
      );
      child.stdin!.end(parquet);
    });
    expect(piped.trim().split('\n')).toHaveLength(5);
    const text = await sluice([
      'parse',
      '--parser',
      'vpc_flow_parquet',
      join(ROOT, 'test/fixtures/parsers/vpc-flow-default.log'),
    ]);
    expect(text.code).toBe(1);
    expect(JSON.parse(text.stderr.trim())).toMatchObject({
      code: 'ERR_PARQUET',
      error: 'not a Parquet file: no PAR1 footer',
    });
  });

  it('exits 1 when a file cannot be read, after parsing the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-'));
    const file = join(dir, 'ok.log');
    writeFileSync(file, `${ALB_2016}\n`);
    const result = await sluice(['parse', '--parser', 'alb', join(dir, 'missing.log'), file]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('missing.log');
  });
});

/** One object's lines, as bytes: good ones, one with bytes that are not UTF-8, one that does not parse, one too long. */
function mixedAlbObject(): Buffer {
  const [before, after] = albLine(1, 2).split('"curl/8.5.0"');
  return Buffer.concat([
    Buffer.from(`${albLine(1, 1)}\n`),
    Buffer.from(`${before}"curl/8.5.0 `),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(`"${after}\n`),
    Buffer.from('not an alb line\n'),
    Buffer.from(`${albLine(1, 4).replace('/item/4?', `/item/4?pad=${'x'.repeat(3000)}&`)}\n`),
    Buffer.from(`${albLine(1, 5).replace('/item/5?', '/item/5?password=hunter2&')}\n`),
  ]);
}

/** What `sluice parse` printed on stdout, one document per line. */
function documents(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const byTraceId = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
  String(a.trace_id).localeCompare(String(b.trace_id));

describe('sluice parse against sluice run', () => {
  it('prints exactly the documents a run indexes into OpenSearch when both read the same lines', async () => {
    const bucket = uniqueName('parse-same');
    const index = uniqueName('parse-same');
    const body = mixedAlbObject();
    const s3 = testS3Client();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: albKey('', new Date(Date.UTC(2024, 4, 1)), 1),
        Body: gzipSync(body),
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-same-'));
    const config = join(dir, 'pipeline.yml');
    // The shipped alb.yml's filters (date, geoip, redact) over the test services.
    writeFileSync(
      config,
      `pipelines:
  - id: same
    source: { type: s3, bucket: ${bucket}, prefix: AWSLogs/, layout: alb, region: us-east-1, endpoint: "${awsEndpoint()}", force_path_style: true }
    parser: { type: alb }
    filters:
      - { type: date, field: time, formats: [iso8601] }
      - { type: geoip, source: client_ip, target: geoip, database: "${geoipDatabasePath()}" }
      - { type: redact, pattern_fields: [request_url], query_params: [password], replacement: "[REDACTED]" }
    outputs: [ { type: opensearch, hosts: ["${openSearchUrl()}"], index: "${index}-%{+YYYY.MM.dd}" } ]
    dead_letter: { type: file, path: dead-letter.ndjson }
    max_record_bytes: 2048
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
`,
    );
    const file = join(dir, 'alb.log');
    writeFileSync(file, body);

    const run = startSluice(['run', '--once', '--config', config]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-3000)).toBe(0);
    const parsed = await sluice(['parse', '--config', config, '--pipeline', 'same', file]);
    expect(parsed.code, parsed.stderr).toBe(0);

    const opensearch = testOpenSearchClient();
    await opensearch.indices.refresh({ index: `${index}-*` });
    const found = await opensearch.search({ index: `${index}-*`, body: { size: 100 } as Record<string, unknown> });
    const indexed = (found.body.hits.hits as Array<{ _source: Record<string, unknown> }>).map((hit) => hit._source);
    const printed = documents(parsed.stdout);
    expect(printed.map((doc) => doc.trace_id).sort()).toEqual(['Root=1-1-1', 'Root=1-1-2', 'Root=1-1-5']);
    expect(printed.sort(byTraceId)).toEqual(indexed.sort(byTraceId));
    expect(printed.find((doc) => doc.trace_id === 'Root=1-1-2')?.tags).toEqual(['_invalid_utf8']);
    expect(printed.find((doc) => doc.trace_id === 'Root=1-1-5')?.request_url).toContain('password=[REDACTED]');

    // The lines that became no document: the same records, for the same reasons, on stderr and in the dead-letter.
    const failures = (lines: string): { record: unknown; code: unknown }[] =>
      lines
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { record: unknown; code: unknown })
        .map(({ record, code }) => ({ record, code }))
        .sort((a, b) => Number(a.record) - Number(b.record));
    const expected = [
      { record: 3, code: 'ERR_RECORD_PARSE' },
      { record: 4, code: 'ERR_RECORD_TOO_LARGE' },
    ];
    expect(failures(parsed.stderr)).toEqual(expected);
    expect(failures(readFileSync(join(dir, 'dead-letter.ndjson'), 'utf8'))).toEqual(expected);
  }, 90_000);

  it('names in --show-route the outputs and indices a run writes each event to', async () => {
    const prefix = uniqueName('parse-route');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-route-'));
    mkdirSync(join(dir, 'logs'));
    // Statuses 200, 404, 503 and 502 over two days: the index of each output depends on the event.
    const statuses = ['200', '404', '503', '502', '200', '503'];
    const lines = statuses.map((status, i) =>
      albLine(7, i + 1, new Date(Date.UTC(2024, 4, 1 + (i % 2), 12))).replace(' 200 200 ', ` ${status} ${status} `),
    );
    const body = `${lines.join('\n')}\n`;
    writeFileSync(join(dir, 'logs', 'alb.log'), body);
    const config = join(dir, 'pipeline.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: routed
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
      - { type: date, field: time, formats: [iso8601] }
    outputs:
      - { type: opensearch, hosts: ["${openSearchUrl()}"], index: "${prefix}-all-%{+YYYY.MM.dd}" }
      - type: opensearch
        hosts: ["${openSearchUrl()}"]
        index: "${prefix}-err-%{elb_status_code}"
        when: { in: { field: elb_status_code, values: [502, 503] } }
      - { type: file, path: not-found.ndjson, when: { equals: { field: elb_status_code, value: 404 } } }
    checkpoint: { type: file, directory: state }
`,
    );
    const run = startSluice(['run', '--once', config]);
    const exit = await run.exited;
    expect(exit.code, run.output().slice(-3000)).toBe(0);
    const parsed = await sluice([
      'parse',
      '--config',
      config,
      '--pipeline',
      'routed',
      '--show-route',
      join(dir, 'logs', 'alb.log'),
    ]);
    expect(parsed.code, parsed.stderr).toBe(0);

    // Where the run put each event: its OpenSearch indices and the file.
    const opensearch = testOpenSearchClient();
    await opensearch.indices.refresh({ index: `${prefix}-*` });
    const found = await opensearch.search({ index: `${prefix}-*`, body: { size: 100 } as Record<string, unknown> });
    const written = new Map<string, string[]>();
    for (const hit of found.body.hits.hits as Array<{ _index: string; _source: { trace_id: string } }>) {
      written.set(hit._source.trace_id, [...(written.get(hit._source.trace_id) ?? []), hit._index].sort());
    }
    const inFile = new Set(
      readFileSync(join(dir, 'not-found.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { trace_id: string }).trace_id),
    );
    const printed = documents(parsed.stdout) as Array<{ doc: { trace_id: string }; routes: Route[] }>;
    expect(printed).toHaveLength(statuses.length);
    expect(inFile.size).toBe(1);
    expect(new Set(printed.flatMap(({ routes }) => routes.map((route) => route.index ?? '')))).toContain(
      `${prefix}-err-503`,
    );
    for (const { doc, routes } of printed) {
      const indices = routes.filter((route) => route.type === 'opensearch').map((route) => route.index!);
      expect(indices.sort(), doc.trace_id).toEqual(written.get(doc.trace_id));
      expect(routes.some((route) => route.type === 'file' && route.output === 2)).toBe(inFile.has(doc.trace_id));
    }
  }, 90_000);
});
