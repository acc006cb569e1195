import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { albObject } from '../../helpers/alb-data.js';
import { freePort } from '../../helpers/free-port.js';
import { awsEndpoint, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

/** A folder with ALB objects for a file source. */
function logsFolder(dir: string, objects: number, lines: number): string {
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  for (let i = 0; i < objects; i++) writeFileSync(join(logs, `${i}.log.gz`), albObject(i, lines));
  return logs;
}

/** The summary line `--once` prints on stdout. */
function summaryOf(output: string): string {
  return output.split('\n').find((line) => line.startsWith('sluice: ')) ?? '';
}

describe('run and backfill before they touch a checkpoint', () => {
  it.each([
    { command: ['run'], name: 'run' },
    { command: ['run', '--once'], name: 'run --once' },
    { command: ['backfill', '--from', '2024-01-01'], name: 'backfill' },
  ])(
    'exits 78 listing the build problems beside a schema problem with an empty checkpoint location when $name finds a GeoIP database that does not open',
    async ({ command }) => {
      const s3 = testS3Client();
      const bucket = uniqueName('checks');
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const dir = mkdtempSync(join(tmpdir(), 'sluice-checks-'));
      logsFolder(dir, 1, 5);
      const config = join(dir, 'pipelines.yml');
      writeFileSync(
        config,
        `pipelines:
  - id: checked
    source: { type: file, path: logs }
    parser: { type: alb }
    filters:
      - type: geoip
        database: missing.mmdb
        source: client_ip
    outputs: [ { type: opensearch, hosts: ["http://127.0.0.1:9"], index: x, template: { file: missing.json } } ]
    checkpoint: { type: s3, bucket: ${bucket}, prefix: ckpt, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
  - id: file-checkpoint
    source: { type: file, path: logs }
    parser: { type: alb }
    outputs: [ { type: stdout, colour: true } ]
    checkpoint: { type: file, directory: state }
`,
      );
      const run = startSluice([...command, '--config', config]);
      const exit = await run.exited;
      expect(exit.code, run.output()).toBe(78);
      expect(run.output()).toContain(
        `${config}:7:19 pipelines[0].filters[0].database: cannot open GeoIP database ${join(dir, 'missing.mmdb')}`,
      );
      expect(run.output()).toContain(
        `${config}:9:95 pipelines[0].outputs[0].template.file: cannot read index template file ${join(dir, 'missing.json')}`,
      );
      // A schema problem in the sibling pipeline hides none of them.
      expect(run.output()).toContain(`${config}:14:32 pipelines[1].outputs[0].colour: unknown key "colour"`);
      // Nothing read or written: not the checkpoint of the broken pipeline, nor its valid sibling's.
      expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
      expect(existsSync(join(dir, 'state'))).toBe(false);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    },
    60_000,
  );
});

describe('sluice run --once', () => {
  it('ends with exit 75 and a summary naming the paused pipeline and why, while its sibling reads everything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-once-'));
    logsFolder(dir, 2, 10);
    const config = join(dir, 'pipelines.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: fine
    source: { type: file, path: logs }
    parser: { type: alb }
    outputs: [ { type: file, path: out/fine.ndjson } ]
    checkpoint: { type: file, directory: state }
  - id: unlistable
    source: { type: file, path: no-such-folder }
    parser: { type: alb }
    outputs: [ { type: file, path: out/unlistable.ndjson } ]
    checkpoint: { type: file, directory: state }
    max_pause_seconds: 0.2
`,
    );
    const run = startSluice(['run', '--once', '--config', config]);
    const exit = await run.exited;
    expect(exit.code, run.output()).toBe(75);
    const summary = summaryOf(run.output());
    expect(summary).toMatch(
      /^sluice: fine: 2 new object\(s\), 20 record\(s\), 20 event\(s\); unlistable: 0 new object\(s\)/,
    );
    expect(summary).toContain(`PAUSED (ERR_FILE_READ): cannot list ${join(dir, 'no-such-folder')}`);
    expect(summary).not.toContain('nothing new');
    expect(run.output()).toContain('"msg":"pipeline paused: cannot list');
  }, 120_000);

  it('says a pipeline could not run, not "nothing new", when it is stopped while it cannot start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-once-stop-'));
    logsFolder(dir, 1, 5);
    const deadPort = await freePort();
    const httpPort = await freePort();
    const config = join(dir, 'pipelines.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: unreachable
    source: { type: file, path: logs }
    parser: { type: alb }
    outputs: [ { type: opensearch, hosts: ["http://127.0.0.1:${deadPort}"], index: x, max_retries: 0 } ]
    checkpoint: { type: file, directory: state }
`,
    );
    const run = startSluice(['run', '--once', '--config', config], { SLUICE_HTTP_PORT: String(httpPort) });
    await waitFor(() => run.output().includes('"msg":"pipeline cannot run'), 60_000, 'the start to fail');
    // /readyz names the pipeline, what is wrong and what to fix.
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    const body = (await ready.json()) as { pipelines: Record<string, { state: string; lastError?: string }> };
    expect(ready.status).toBe(503);
    expect(body.pipelines.unreachable).toMatchObject({
      state: 'failing',
      lastError: expect.stringMatching(
        new RegExp(`cannot reach OpenSearch at http://127.0.0.1:${deadPort}.* — Check hosts`),
      ),
    });
    const line = run
      .output()
      .split('\n')
      .find((entry) => entry.includes('"msg":"pipeline cannot run'))!;
    expect(JSON.parse(line)).toMatchObject({
      level: 'error',
      pipeline: 'unreachable',
      code: 'ERR_OUTPUT_UNREACHABLE',
      hint: expect.stringContaining('Check hosts'),
    });
    expect(line).not.toContain('"stack"');
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.code, run.output()).toBe(75);
    const summary = summaryOf(run.output());
    expect(summary).toContain('unreachable: 0 new object(s), 0 record(s), 0 event(s), PAUSED (ERR_OUTPUT_UNREACHABLE)');
    expect(summary).not.toContain('nothing new');
    expect(existsSync(join(dir, 'state'))).toBe(false);
  }, 120_000);
});
