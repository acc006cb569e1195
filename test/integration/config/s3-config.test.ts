import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { albLine, albObject } from '../../helpers/alb-data.js';
import { mapAwsRequest } from '../../helpers/aws-request.js';
import { createIamUser, type IamUser, iamAdminS3Client, iamEndpoint, type PolicyDocument } from '../../helpers/iam.js';
import { evaluatePolicy } from '../../helpers/iam-policy-evaluator.js';
import { repoRoot, SpawnedProcess } from '../../helpers/process.js';
import { startRecordingProxy } from '../../helpers/recording-proxy.js';
import { awsEndpoint, testRegion, testS3Client, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/sluice-process.js';

// Spawns the built CLI (`npm run build` first) against the real moto S3: the config is read from there.
const BIN = join(repoRoot, 'bin/sluice.js');

/** Relative paths: an S3 config resolves them against the working directory the test gives. */
const VALID = `pipelines:
  - id: from-s3
    source: { type: file, path: logs }
    parser: { type: alb }
    outputs:
      - { type: file, path: out/alb.ndjson }
    checkpoint: { type: file, directory: state }
`;

const BROKEN = `pipelines:
  - id: broken
    source: { type: file, path: logs }
    parser: { type: albb }
    outputs:
      - type: stdout
    checkpoint: { type: file, directory: state }
`;

interface SluiceOptions {
  cwd?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  env?: Record<string, string>;
}

function spawnSluice(args: string[], options: SluiceOptions = {}): SpawnedProcess {
  const credentials = options.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' };
  return new SpawnedProcess(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: {
      AWS_ENDPOINT_URL: options.endpoint ?? awsEndpoint(),
      AWS_REGION: testRegion,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      SLUICE_CONFIG: undefined,
      SLUICE_CONFIG_S3_FORCE_PATH_STYLE: undefined,
      SLUICE_HTTP_PORT: '0',
      ...options.env,
    },
  });
}

async function sluice(args: string[], options: SluiceOptions = {}) {
  const child = spawnSluice(args, options);
  const { code } = await child.waitForExit(60_000);
  return { code, stdout: child.stdout, stderr: child.stderr };
}

/** The statements deploy/ecs/README.md tells to add for a config on S3, for `bucket` instead of the placeholder. */
function documentedConfigPolicy(bucket: string): PolicyDocument {
  const readme = readFileSync(join(repoRoot, 'deploy/ecs/README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Config from S3'));
  const statements = /```json\n(\{ "Sid": "ListConfig"[\s\S]*?)```/.exec(section)?.[1];
  if (!statements) throw new Error('deploy/ecs/README.md has no ListConfig statement under "Config from S3"');
  const text = `{ "Version": "2012-10-17", "Statement": [${statements}] }`;
  return JSON.parse(text.split('example-sluice-config').join(bucket)) as PolicyDocument;
}

async function put(client: S3Client, bucket: string, key: string, body: string | Buffer): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

describe('a config read from S3', () => {
  const s3 = testS3Client();
  const bucket = uniqueName('sluice-config');

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await put(s3, bucket, 'good/a.yml', VALID);
    await put(s3, bucket, 'good/README.md', 'not a config');
    await put(s3, bucket, 'good/nested/ignored.yml', BROKEN);
    await put(s3, bucket, 'bad/1-ok.yml', VALID.replace('from-s3', 'fine'));
    await put(s3, bucket, 'bad/2-broken.yaml', BROKEN);
    await put(s3, bucket, 'bad/3-syntax.yml', 'pipelines:\n  - id: [unclosed\n');
  });

  afterAll(() => s3.destroy());

  it('validates every YAML object directly under the prefix when the URI names a folder', async () => {
    const result = await sluice(['validate', '--config', `s3://${bucket}/good/`]);
    expect(result.stderr).not.toContain('problem(s)');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok: 1 pipeline(s) in 1 file(s): from-s3');
  });

  it('lists every problem of every object at its S3 key, line and column, and exits 78, when the config is broken', async () => {
    const result = await sluice(['validate', `s3://${bucket}/bad`]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(
      `s3://${bucket}/bad/2-broken.yaml:4:21 pipelines[0].parser.type: unknown type "albb"`,
    );
    expect(result.stderr).toMatch(new RegExp(`s3://${bucket}/bad/3-syntax\\.yml:\\d+:\\d+ `));
    expect(result.stderr).not.toContain('1-ok.yml');
    expect(result.stderr).toContain(`2 problem(s) in s3://${bucket}/bad`);
  });

  it('reads the one object when the URI names a YAML file', async () => {
    const result = await sluice(['validate', '--config', `s3://${bucket}/bad/1-ok.yml`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok: 1 pipeline(s) in 1 file(s): fine');
  });

  it('exits 78 naming the bucket when the bucket does not exist', async () => {
    const missing = uniqueName('sluice-no-bucket');
    const result = await sluice(['validate', '--config', `s3://${missing}/pipelines/`]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`s3://${missing}/pipelines/:0:0 no such bucket`);
  });

  it('exits 78 naming the key when the object does not exist', async () => {
    const result = await sluice(['validate', '--config', `s3://${bucket}/good/missing.yml`]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`s3://${bucket}/good/missing.yml:0:0 no such object`);
  });

  it('runs a file-source pipeline whose config came from S3, its relative paths under the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-s3-config-'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'alb.log'), albObject(0, 25));
    const result = await sluice(['run', '--once', '--config', `s3://${bucket}/good/`], { cwd: dir });
    expect(result.stderr).not.toContain('"level":50');
    expect(result.code).toBe(0);
    const lines = readFileSync(join(dir, 'out', 'alb.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(25);
    expect(readdirSync(join(dir, 'state'))).toContain('from-s3.json');
  });
});

/** The moto endpoint by host name (`localhost`) instead of address: the SDK then addresses buckets virtual-hosted. */
function endpointByName(): string {
  const url = new URL(awsEndpoint());
  url.hostname = 'localhost';
  return url.toString().replace(/\/$/, '');
}

const TEST_FILE = `tests:
  - name: parses one ALB line
    input:
      lines:
        - '${albLine(1, 7)}'
    events:
      - record: 1
        fields:
          trace_id: Root=1-1-7
`;

describe('a config on S3 read through a custom endpoint, by sluice test, and reloaded', () => {
  const s3 = testS3Client();
  const bucket = uniqueName('sluice-config-more');

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await put(s3, bucket, 'good/a.yml', VALID);
  });

  afterAll(() => s3.destroy());

  it('reads the config at an endpoint named by host name with SLUICE_CONFIG_S3_FORCE_PATH_STYLE, and says to set it without', async () => {
    const uri = `s3://${bucket}/good/`;
    const virtual = await sluice(['validate', uri], { endpoint: endpointByName() });
    expect(virtual.code).toBe(78);
    expect(virtual.stderr).toContain(
      `${uri}:0:0 the bucket's virtual-hosted name ${bucket}.localhost does not resolve; for an S3-compatible endpoint set SLUICE_CONFIG_S3_FORCE_PATH_STYLE=true`,
    );
    const pathStyle = await sluice(['validate', uri], {
      endpoint: endpointByName(),
      env: { SLUICE_CONFIG_S3_FORCE_PATH_STYLE: 'true' },
    });
    expect(pathStyle.stderr).not.toContain('problem(s)');
    expect(pathStyle.code).toBe(0);
    expect(pathStyle.stdout).toContain('ok: 1 pipeline(s) in 1 file(s): from-s3');
  });

  it('runs the named test files against a config on S3, and exits 64 when none is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-s3-test-'));
    writeFileSync(join(dir, 'alb.test.yml'), TEST_FILE);
    const env = { SLUICE_CONFIG: `s3://${bucket}/good/`, SLUICE_CONFIG_S3_FORCE_PATH_STYLE: 'true' };
    const named = await sluice(['test', join(dir, 'alb.test.yml')], { endpoint: endpointByName(), env });
    expect(named.stderr).toBe('');
    expect(named.code).toBe(0);
    expect(named.stdout).toContain('1 case passed, 0 failed');
    const none = await sluice(['test'], { env });
    expect(none.code).toBe(64);
    expect(none.stderr).toContain(
      `sluice test: the config s3://${bucket}/good/ is on S3, and test files are read from this machine: name the test files or folders to run`,
    );
  });

  it('reloads a live run when an object of its config on S3 changes (its ETag), with SLUICE_CONFIG_RELOAD_SECONDS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-s3-reload-'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'alb.log'), albObject(0, 25));
    await put(s3, bucket, 'watched/a.yml', VALID);
    const run = spawnSluice(['run', '--config', `s3://${bucket}/watched/`], {
      cwd: dir,
      env: { SLUICE_CONFIG_RELOAD_SECONDS: '1' },
    });
    try {
      await run.waitForLogLine({ msg: 'lease held; pipeline running' }, { timeoutMs: 60_000 });
      await put(s3, bucket, 'watched/a.yml', VALID.replace('out/alb.ndjson', 'out/alb-2.ndjson'));
      const reloaded = await run.waitForLogLine({ msg: 'config reloaded' }, { timeoutMs: 60_000 });
      expect(reloaded).toMatchObject({ restart: ['from-s3'], keep: [] });
      expect(run.logEntries().find((entry) => entry.msg === 'config reload requested')).toMatchObject({
        reason: 'config changed',
      });
      writeFileSync(join(dir, 'logs', 'alb-2.log'), albObject(1, 5));
      await waitFor(() => existsSync(join(dir, 'out', 'alb-2.ndjson')), 60_000, 'the new output');
      await waitFor(
        () =>
          readFileSync(join(dir, 'out', 'alb-2.ndjson'), 'utf8')
            .trim()
            .split('\n').length === 5,
        60_000,
        'the new object in the new output',
      );
      expect(
        readFileSync(join(dir, 'out', 'alb.ndjson'), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(25);
    } finally {
      run.kill('SIGTERM');
    }
    expect(await run.waitForExit(60_000)).toEqual({ code: 0, signal: null });
  }, 180_000);
});

describe('a config on S3 behind IAM', () => {
  const admin = iamAdminS3Client();
  const bucket = uniqueName('sluice-config-iam');
  let listOnly: IamUser;
  let getOnly: IamUser;
  let documented: IamUser | undefined;

  beforeAll(async () => {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    await put(admin, bucket, 'pipelines/a.yml', VALID);
    listOnly = await createIamUser({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` }],
    });
    getOnly = await createIamUser({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
    });
  });

  afterAll(async () => {
    await listOnly?.remove();
    await getOnly?.remove();
    await documented?.remove();
    admin.destroy();
  });

  it('names s3:ListBucket and the bucket and exits 78 when listing the prefix is denied', async () => {
    const result = await sluice(['validate', '--config', `s3://${bucket}/pipelines/`], {
      endpoint: iamEndpoint(),
      credentials: getOnly.credentials,
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(
      `s3://${bucket}/pipelines/:0:0 access denied (Access Denied); allow s3:ListBucket on arn:aws:s3:::${bucket} with s3:prefix "pipelines/" to the task role`,
    );
  });

  it('names s3:GetObject and the object and exits 78 when reading an object is denied', async () => {
    const result = await sluice(['validate', '--config', `s3://${bucket}/pipelines/`], {
      endpoint: iamEndpoint(),
      credentials: listOnly.credentials,
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(
      `s3://${bucket}/pipelines/a.yml:0:0 access denied (Access Denied); allow s3:GetObject on arn:aws:s3:::${bucket}/pipelines/a.yml to the task role`,
    );
  });

  it('loads the config with exactly the statements deploy/ecs/README.md documents, conditions included', async () => {
    const policy = documentedConfigPolicy(bucket);
    documented = await createIamUser(policy);
    // Through a recorder: moto judges Action and Resource, the evaluator also the s3:prefix condition.
    const proxy = await startRecordingProxy(iamEndpoint());
    try {
      const result = await sluice(['validate', '--config', `s3://${bucket}/pipelines/`], {
        endpoint: proxy.url,
        credentials: documented.credentials,
      });
      expect(result.stderr).not.toContain('problem(s)');
      expect(result.code).toBe(0);
      const judged = proxy.requests.map((request) => {
        const mapped = mapAwsRequest(request, '123456789012');
        return {
          what: `${mapped.operation} ${mapped.resource}`,
          status: request.status,
          ...evaluatePolicy(policy, mapped),
        };
      });
      expect(judged.map(({ what, status, decision }) => ({ what, status, decision }))).toEqual([
        { what: `ListObjectsV2 arn:aws:s3:::${bucket}`, status: 200, decision: 'allow' },
        { what: `GetObject arn:aws:s3:::${bucket}/pipelines/a.yml`, status: 200, decision: 'allow' },
      ]);
    } finally {
      await proxy.close();
    }
  });
});
