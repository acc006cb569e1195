import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { freePort } from '../../helpers/free-port.js';
import { createIamUser, type IamUser, iamAdminS3Client, iamEndpoint, type PolicyDocument } from '../../helpers/iam.js';
import { documentCount, duplicateTraceIds } from '../../helpers/index-assertions.js';
import { type BulkFault, type RunningProxy, startFaultProxy } from '../../helpers/proxies.js';
import { doneSet, ndjson, type Readiness, readiness } from '../../helpers/run-files.js';
import { openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

const OBJECTS = 3;
const LINES = 40;

const users: IamUser[] = [];
const proxies: RunningProxy[] = [];
const indices: string[] = [];
afterAll(async () => {
  for (const user of users) await user.remove().catch(() => undefined);
  await Promise.all(proxies.map((proxy) => proxy.close()));
  for (const index of indices)
    await testOpenSearchClient()
      .indices.delete({ index: `${index}-*` })
      .catch(() => undefined);
});

describe('a pipeline whose role may list but not read', () => {
  it('pauses with /readyz naming s3:GetObject and the object, marks nothing done, and ingests every object once after the permission is attached', async () => {
    const admin = iamAdminS3Client();
    const bucket = uniqueName('denied');
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    const keys: string[] = [];
    for (let i = 0; i < OBJECTS; i++) {
      const key = albKey('', new Date(), i);
      keys.push(key);
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: albObject(i, LINES) }));
    }
    const listOnly: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` }],
    };
    const user = await createIamUser(listOnly);
    users.push(user);

    const dir = mkdtempSync(join(tmpdir(), 'sluice-denied-'));
    const config = join(dir, 'pipelines.yml');
    // One attempt: under the old rule a denial was the object's fault, quarantined (and marked done) at once.
    writeFileSync(
      config,
      `pipelines:
  - id: denied
    source: { type: s3, bucket: ${bucket}, prefix: AWSLogs/, region: us-east-1, endpoint: "${iamEndpoint()}", force_path_style: true, poll_interval_seconds: 1 }
    parser: { type: alb }
    outputs: [ { type: file, path: out/alb.ndjson } ]
    checkpoint: { type: file, directory: state, flush_interval_seconds: 0.2 }
    dead_letter: { type: file, path: dead-letter.ndjson }
    max_object_attempts: 1
    max_pause_seconds: 2
`,
    );
    const port = await freePort();
    const run = startSluice(['run', '--config', config], {
      SLUICE_HTTP_PORT: String(port),
      AWS_ACCESS_KEY_ID: user.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: user.credentials.secretAccessKey,
    });
    const failWith = (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.output().slice(-4000)}`);
    };

    let ready: Readiness | undefined;
    await waitFor(
      async () => {
        ready = await readiness(port).catch(() => undefined);
        return ready?.body.pipelines.denied?.state === 'failing';
      },
      60_000,
      'the pipeline to be reported paused',
    ).catch(failWith);
    expect(ready!.status).toBe(503);
    const detail = ready!.body.pipelines.denied!.detail ?? '';
    expect(detail).toContain('s3:GetObject');
    expect(detail).toMatch(new RegExp(`arn:aws:s3:::${bucket}/AWSLogs/\\S+\\.log\\.gz`));
    expect(detail).toContain('Allow s3:GetObject');

    // Several tries while denied: still nothing done, nothing quarantined, nothing written.
    await waitFor(
      () => (run.output().match(/"msg":"pipeline paused/g) ?? []).length >= 3,
      60_000,
      'three pauses',
    ).catch(failWith);
    const checkpoint = join(dir, 'state', 'denied.json');
    expect(doneSet(checkpoint)).toEqual({});
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);
    expect(ndjson(join(dir, 'out', 'alb.ndjson'))).toEqual([]);
    const pausedLine = run
      .output()
      .split('\n')
      .find((line) => line.includes('"msg":"pipeline paused'));
    expect(JSON.parse(pausedLine!)).toMatchObject({
      level: 'error',
      code: 'ERR_S3_ACCESS_DENIED',
      action: 's3:GetObject',
      hint: expect.stringContaining(`arn:aws:s3:::${bucket}/`),
    });
    expect(pausedLine).not.toContain('"stack"');

    await user.setPolicy({
      Version: '2012-10-17',
      Statement: [
        ...listOnly.Statement,
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
      ],
    });
    await waitFor(
      () =>
        ndjson(join(dir, 'out', 'alb.ndjson')).length >= OBJECTS * LINES &&
        Object.keys(doneSet(checkpoint)).length === OBJECTS,
      60_000,
      'every object after the permission was attached',
    ).catch(failWith);
    await waitFor(async () => (await readiness(port)).status === 200, 30_000, '/readyz to turn green').catch(failWith);

    const docs = ndjson(join(dir, 'out', 'alb.ndjson'));
    expect(docs).toHaveLength(OBJECTS * LINES);
    expect(new Set(docs.map((doc) => doc.trace_id)).size).toBe(OBJECTS * LINES);
    const done = doneSet(checkpoint);
    expect(Object.keys(done).sort()).toEqual([...keys].sort());
    expect(Object.values(done).every((entry) => entry.failed === undefined)).toBe(true);
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);
    expect(run.output()).toContain('pipeline resumed');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 180_000);
});

describe('a pipeline whose OpenSearch user may not write to its index', () => {
  it('pauses on the item-level 403 security_exception, dead-letters nothing, and indexes every record once when writing is allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-os-denied-'));
    mkdirSync(join(dir, 'logs'));
    for (let i = 0; i < OBJECTS; i++) writeFileSync(join(dir, 'logs', `${i}.log.gz`), albObject(i, LINES));
    // Every bulk item is denied until the plan is emptied: the test's stand-in for granting the role.
    const plan: BulkFault[] = Array.from({ length: 10_000 }, () => 'items-403');
    const proxy = await startFaultProxy(openSearchUrl(), plan);
    proxies.push(proxy);
    const index = uniqueName('os-denied');
    indices.push(index);
    const config = join(dir, 'pipelines.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: os-denied
    source: { type: file, path: logs, poll_interval_seconds: 1 }
    parser: { type: alb }
    outputs: [ { type: opensearch, hosts: ["${proxy.url}"], index: "${index}-%{+YYYY.MM.dd}", flush_interval_seconds: 0.1, max_retries: 1 } ]
    checkpoint: { type: file, directory: state, flush_interval_seconds: 0.2 }
    dead_letter: { type: file, path: dead-letter.ndjson }
    max_object_attempts: 1
    max_pause_seconds: 2
`,
    );
    const port = await freePort();
    const run = startSluice(['run', '--config', config], { SLUICE_HTTP_PORT: String(port) });
    const failWith = (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${run.output().slice(-4000)}`);
    };
    let ready: Readiness | undefined;
    await waitFor(
      async () => {
        ready = await readiness(port).catch(() => undefined);
        return ready?.body.pipelines['os-denied']?.state === 'failing';
      },
      60_000,
      'the pipeline to be reported paused',
    ).catch(failWith);
    expect(ready!.status).toBe(503);
    const detail = ready!.body.pipelines['os-denied']!.detail ?? '';
    expect(detail).toContain('security_exception');
    expect(detail).toContain(`writing to index ${index}-`);
    expect(detail).toContain('indices:data/write/bulk');
    await waitFor(() => (proxy.stats.itemsDenied ?? 0) >= 3 * LINES, 60_000, 'several denied tries').catch(failWith);
    expect(doneSet(join(dir, 'state', 'os-denied.json'))).toEqual({});
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);

    plan.length = 0;
    await waitFor(async () => (await documentCount(`${index}-*`)) === OBJECTS * LINES, 60_000, 'every record').catch(
      failWith,
    );
    await waitFor(async () => (await readiness(port)).status === 200, 30_000, '/readyz to turn green').catch(failWith);
    await waitFor(
      () => Object.keys(doneSet(join(dir, 'state', 'os-denied.json'))).length === OBJECTS,
      30_000,
      'every object done',
    ).catch(failWith);
    expect(await duplicateTraceIds(`${index}-*`)).toEqual([]);
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 180_000);
});
