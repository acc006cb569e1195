import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoCheckpointStore } from '../../../src/checkpoint/index.js';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { freePort } from '../../helpers/free-port.js';
import {
  createIamUser,
  type IamUser,
  iamAdminCredentials,
  iamAdminS3Client,
  iamEndpoint,
  type PolicyDocument,
} from '../../helpers/iam.js';
import { doneSet, ndjson, type Readiness, readiness } from '../../helpers/run-files.js';
import { testRegion, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

const LINES = 30;

const users: IamUser[] = [];
afterAll(async () => {
  for (const user of users) await user.remove().catch(() => undefined);
});

/**
 * `sluice run` of one pipeline (`pipeline`: its lines after `id`) in a new folder with the
 * user's keys, once /readyz reports it failing. `failWith` rethrows with the run's output.
 */
async function runUntilFailing(user: IamUser, id: string, pipeline: string) {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${id}-`));
  const config = join(dir, 'pipelines.yml');
  writeFileSync(config, `pipelines:\n  - id: ${id}\n${pipeline}`);
  const port = await freePort();
  const run = startSluice(['run', '--config', config], {
    SLUICE_HTTP_PORT: String(port),
    AWS_ACCESS_KEY_ID: user.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: user.credentials.secretAccessKey,
  });
  const checkpoint = join(dir, 'state', `${id}.json`);
  const failWith = (error: unknown): never => {
    const state = existsSync(checkpoint) ? readFileSync(checkpoint, 'utf8') : '(no file checkpoint)';
    throw new Error(`${(error as Error).message}\n${state}\n${run.output().slice(-4000)}`);
  };
  let ready: Readiness | undefined;
  await waitFor(
    async () => {
      ready = await readiness(port).catch(() => undefined);
      return ready?.body.pipelines[id]?.state === 'failing';
    },
    60_000,
    `${id} to be reported failing`,
  ).catch(failWith);
  return { dir, run, checkpoint, failWith, status: ready!.body.pipelines[id]! };
}

describe('a role denied s3:GetObject on one prefix of its bucket only', () => {
  it('reads the allowed prefix, pauses naming the denied object, never quarantines or marks it done, and reads it once when allowed', async () => {
    const admin = iamAdminS3Client();
    const bucket = uniqueName('prefix-denied');
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    // Keys dated today, as AWS writes them: a live listing walks the partitions around its watermark.
    const allowedKey = albKey('open/', new Date(), 0);
    const deniedKey = albKey('secret/', new Date(), 1);
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: allowedKey, Body: albObject(0, LINES) }));
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: deniedKey, Body: albObject(1, LINES) }));
    const allow: PolicyDocument['Statement'] = [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
    ];
    const user = await createIamUser({
      Version: '2012-10-17',
      Statement: [...allow, { Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/secret/*` }],
    });
    users.push(user);

    const { dir, run, checkpoint, failWith, status } = await runUntilFailing(
      user,
      'prefix-denied',
      `    source: { type: s3, bucket: ${bucket}, prefix: "", region: us-east-1, endpoint: "${iamEndpoint()}", force_path_style: true, poll_interval_seconds: 1 }
    parser: { type: alb }
    outputs: [ { type: file, path: out/alb.ndjson } ]
    checkpoint: { type: file, directory: state, flush_interval_seconds: 0.2 }
    dead_letter: { type: file, path: dead-letter.ndjson }
    max_object_attempts: 1
    max_pause_seconds: 2
`,
    );
    expect(status.detail ?? '').toContain(`arn:aws:s3:::${bucket}/${deniedKey}`);
    await waitFor(
      () => (run.output().match(/"msg":"pipeline paused/g) ?? []).length >= 3,
      60_000,
      'three pauses',
    ).catch(failWith);
    expect(Object.keys(doneSet(checkpoint))).not.toContain(deniedKey);
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);

    await user.setPolicy({ Version: '2012-10-17', Statement: allow });
    await waitFor(
      () => Object.keys(doneSet(checkpoint)).length === 2,
      60_000,
      'both objects done after the deny was lifted',
    ).catch(failWith);
    const docs = ndjson(join(dir, 'out', 'alb.ndjson'));
    expect(docs).toHaveLength(2 * LINES);
    expect(new Set(docs.map((doc) => doc.trace_id)).size).toBe(2 * LINES);
    expect(Object.values(doneSet(checkpoint)).every((entry) => entry.failed === undefined)).toBe(true);
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 180_000);
});

describe('a role that may not write its checkpoint', () => {
  it('pauses naming s3:PutObject and the checkpoint object, marks nothing done, and checkpoints every object when allowed', async () => {
    const admin = iamAdminS3Client();
    const bucket = uniqueName('ckpt-denied');
    const state = uniqueName('ckpt-state');
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    await admin.send(new CreateBucketCommand({ Bucket: state }));
    const key = albKey('', new Date(), 0);
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: albObject(0, LINES) }));
    const allow: PolicyDocument['Statement'] = [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${state}`] },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: [`arn:aws:s3:::${bucket}/*`, `arn:aws:s3:::${state}/*`] },
    ];
    const user = await createIamUser({ Version: '2012-10-17', Statement: allow });
    users.push(user);

    const { dir, run, failWith, status } = await runUntilFailing(
      user,
      'ckpt-denied',
      `    source: { type: s3, bucket: ${bucket}, prefix: "", region: us-east-1, endpoint: "${iamEndpoint()}", force_path_style: true, poll_interval_seconds: 1 }
    parser: { type: alb }
    outputs: [ { type: file, path: out/alb.ndjson } ]
    checkpoint: { type: s3, bucket: ${state}, prefix: cp, region: us-east-1, endpoint: "${iamEndpoint()}", force_path_style: true, flush_interval_seconds: 0.2 }
    dead_letter: { type: file, path: dead-letter.ndjson }
    max_object_attempts: 1
    max_pause_seconds: 2
`,
    );
    const { detail = '', lastError = '' } = status;
    expect(`${detail} ${lastError}`).toContain(`s3:PutObject denied on arn:aws:s3:::${state}/cp/ckpt-denied.json`);
    expect(lastError).toContain(`Allow s3:GetObject and s3:PutObject on arn:aws:s3:::${state}/cp/ckpt-denied.json`);
    const logged = run
      .output()
      .split('\n')
      .find((line) => line.includes('"code":"ERR_CHECKPOINT"'));
    expect(JSON.parse(logged!)).toMatchObject({
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${state}/cp/ckpt-denied.json`,
    });
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);

    await user.setPolicy({
      Version: '2012-10-17',
      Statement: [...allow, { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${state}/*` }],
    });
    const done = async () => {
      const got = await admin
        .send(new GetObjectCommand({ Bucket: state, Key: 'cp/ckpt-denied.json' }))
        .catch(() => undefined);
      if (!got?.Body) return {};
      return (JSON.parse(await got.Body.transformToString()) as { done: Record<string, unknown> }).done;
    };
    await waitFor(async () => Object.keys(await done()).length === 1, 60_000, 'the object checkpointed').catch(
      failWith,
    );
    const docs = ndjson(join(dir, 'out', 'alb.ndjson'));
    expect(new Set(docs.map((doc) => doc.trace_id)).size).toBe(LINES);
    expect(docs).toHaveLength(LINES);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 180_000);
});

/** The done-set of a DynamoDB checkpoint item (gzip-compressed JSON in `state`), empty when there is none. */
async function dynamoDoneSet(client: DynamoDBClient, table: string, name: string): Promise<Record<string, unknown>> {
  const got = await client
    .send(new GetItemCommand({ TableName: table, Key: { pipeline: { S: name } }, ConsistentRead: true }))
    .catch(() => undefined);
  const blob = got?.Item?.state?.B;
  if (!blob) return {};
  return (JSON.parse(gunzipSync(blob).toString('utf8')) as { done: Record<string, unknown> }).done;
}

describe('a role that may not write its DynamoDB checkpoint', () => {
  it('pauses naming dynamodb:PutItem and the table ARN, marks nothing done, and checkpoints every object when allowed', async () => {
    const admin = iamAdminS3Client();
    const dynamo = new DynamoDBClient({
      endpoint: iamEndpoint(),
      region: testRegion,
      credentials: iamAdminCredentials(),
    });
    const bucket = uniqueName('ddb-denied');
    const table = uniqueName('ddb-ckpt');
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    await DynamoCheckpointStore.ensureTable(dynamo, table);
    const key = albKey('', new Date(), 0);
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: albObject(0, LINES) }));
    // moto matches DynamoDB actions against the resource "*" only (not the table's ARN), so the
    // policy names "*"; AWS's own denial names the ARN with the account, moto's none: sluice then
    // builds it from the region, with "*" for the account.
    const tableArn = `arn:aws:dynamodb:${testRegion}:*:table/${table}`;
    const allow: PolicyDocument['Statement'] = [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' },
    ];
    const user = await createIamUser({ Version: '2012-10-17', Statement: allow });
    users.push(user);

    const { dir, run, failWith, status } = await runUntilFailing(
      user,
      'ddb-denied',
      `    source: { type: s3, bucket: ${bucket}, prefix: "", region: us-east-1, endpoint: "${iamEndpoint()}", force_path_style: true, poll_interval_seconds: 1 }
    parser: { type: alb }
    outputs: [ { type: file, path: out/alb.ndjson } ]
    checkpoint: { type: dynamodb, table: ${table}, region: us-east-1, endpoint: "${iamEndpoint()}", flush_interval_seconds: 0.2 }
    dead_letter: { type: file, path: dead-letter.ndjson }
    max_object_attempts: 1
    max_pause_seconds: 2
`,
    );
    const { detail = '', lastError = '' } = status;
    expect(`${detail} ${lastError}`).toContain(`dynamodb:PutItem denied on ${tableArn}`);
    expect(lastError).toContain(`Allow dynamodb:GetItem and dynamodb:PutItem on ${tableArn}`);
    const logged = run
      .output()
      .split('\n')
      .find((line) => line.includes('"code":"ERR_CHECKPOINT"'));
    expect(JSON.parse(logged!)).toMatchObject({ action: 'dynamodb:PutItem', resource: tableArn });
    expect(await dynamoDoneSet(dynamo, table, 'ddb-denied')).toEqual({});
    expect(ndjson(join(dir, 'dead-letter.ndjson'))).toEqual([]);

    await user.setPolicy({
      Version: '2012-10-17',
      Statement: [...allow, { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*' }],
    });
    await waitFor(
      async () => Object.keys(await dynamoDoneSet(dynamo, table, 'ddb-denied')).length === 1,
      60_000,
      'the object checkpointed',
    ).catch(failWith);
    const docs = ndjson(join(dir, 'out', 'alb.ndjson'));
    expect(new Set(docs.map((doc) => doc.trace_id)).size).toBe(LINES);
    expect(docs).toHaveLength(LINES);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 180_000);
});
