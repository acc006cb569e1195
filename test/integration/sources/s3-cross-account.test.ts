import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { S3Clients } from '../../../src/sources/s3/s3-clients.js';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { createIamUser, type IamUser, iamAdminS3Client, iamCall, iamEndpoint } from '../../helpers/iam.js';
import { type RecordedRequest, type RecordingProxy, startRecordingProxy } from '../../helpers/recording-proxy.js';
import { awsEndpoint, testCredentials, testSqsClient, uniqueName } from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';
import { messagesLeft, s3Record } from '../../helpers/sqs-notifications.js';

/**
 * `role_arn` on the moto server that enforces IAM: the task's own credentials may only assume
 * the log-reading role (and the role trusts the task only with its external id); every S3 read
 * must be signed with the role's session. moto checks the caller's policies and the role's
 * trust policy (with sts:ExternalId) on AssumeRole, and the role's policies on each S3 call.
 */

const LINES = 30;
const EXTERNAL_ID = 'sluice-test-7f3a';

const users: IamUser[] = [];
const roles: string[] = [];
const proxies: RecordingProxy[] = [];
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  for (const user of users) await user.remove().catch(() => undefined);
  for (const role of roles) {
    await iamCall('DeleteRolePolicy', { RoleName: role, PolicyName: 'read-logs' }).catch(() => undefined);
    await iamCall('DeleteRole', { RoleName: role }).catch(() => undefined);
  }
});

function ndjsonLines(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** A bucket on the IAM server, a role that may read it, and a task user that may only assume that role. */
async function crossAccountSetUp() {
  const bucket = uniqueName('xacct-logs');
  await iamAdminS3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  const roleName = uniqueName('log-reader');
  const user = await createIamUser({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::123456789012:role/${roleName}` }],
  });
  users.push(user);
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: user.arn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
      },
    ],
  };
  const created = await iamCall('CreateRole', { RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) });
  roles.push(roleName);
  const roleArn = /<Arn>([^<]+)<\/Arn>/.exec(created)![1]!;
  await iamCall('PutRolePolicy', {
    RoleName: roleName,
    PolicyName: 'read-logs',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
      ],
    }),
  });
  const env = {
    AWS_ACCESS_KEY_ID: user.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: user.credentials.secretAccessKey,
  };
  return { bucket, roleArn, user, env };
}

/** The access key and region a SigV4 request was signed with (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`). */
function signedWith(request: RecordedRequest): { key: string; region: string; service: string } {
  const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(String(request.headers.authorization));
  return { key: credential?.[1] ?? '', region: credential?.[2] ?? '', service: credential?.[3] ?? '' };
}

describe('S3 source with role_arn', () => {
  it('lists and reads through the assumed role when the task credentials alone are denied, and names the role when assuming it is denied', async () => {
    const { bucket, roleArn, env } = await crossAccountSetUp();
    const admin = iamAdminS3Client();
    for (let i = 0; i < 3; i++) {
      await admin.send(
        new PutObjectCommand({ Bucket: bucket, Key: albKey('', new Date(), i), Body: albObject(i, LINES) }),
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'sluice-xacct-'));
    const run = async (name: string, role: string) => {
      const config = join(dir, `${name}.yml`);
      writeFileSync(
        config,
        `pipelines:
  - id: ${name}
    source: { type: s3, bucket: ${bucket}, prefix: AWSLogs/, region: us-east-1, endpoint: "${iamEndpoint()}", force_path_style: true${role} }
    parser: { type: alb }
    outputs: [ { type: file, path: out/${name}.ndjson } ]
    checkpoint: { type: file, directory: state }
    dead_letter: { type: file, path: dead-letter-${name}.ndjson }
    max_pause_seconds: 1
`,
      );
      const sluice = startSluice(['run', '--once', '--config', config], env);
      const exit = await sluice.exited;
      return { exit, output: sluice.output(), stored: ndjsonLines(join(dir, 'out', `${name}.ndjson`)) };
    };

    // The task's own credentials: listing the other account's bucket is denied.
    const alone = await run('alone', '');
    expect(alone.exit.code, alone.output.slice(-3000)).toBe(75);
    expect(alone.output).toContain('PAUSED (ERR_S3_ACCESS_DENIED)');
    expect(alone.output).toContain(`s3:ListBucket denied on arn:aws:s3:::${bucket}`);
    expect(alone.stored).toBe(0);

    // The role with another external id than its trust policy requires: AssumeRole is denied, and
    // said so. (moto lets a missing ExternalId through a trust condition; AWS denies it too.)
    const wrongId = await run('wrong-external-id', `, role_arn: "${roleArn}", external_id: not-${EXTERNAL_ID}`);
    expect(wrongId.exit.code, wrongId.output.slice(-3000)).toBe(75);
    expect(wrongId.output).toContain('PAUSED (ERR_S3_ACCESS_DENIED)');
    expect(wrongId.output).toContain(`sts:AssumeRole denied on ${roleArn}`);
    expect(wrongId.stored).toBe(0);

    const assumed = await run(
      'assumed',
      `, role_arn: "${roleArn}", external_id: ${EXTERNAL_ID}, role_session_name: sluice-xacct-test`,
    );
    expect(assumed.exit.code, assumed.output.slice(-3000)).toBe(0);
    expect(assumed.stored).toBe(3 * LINES);
    expect(ndjsonLines(join(dir, 'dead-letter-assumed.ndjson'))).toBe(0);
  }, 180_000);

  it('reads notified objects through the role in the region each record names, and skips one in a skipped storage class', async () => {
    const { bucket, roleArn, user, env } = await crossAccountSetUp();
    const admin = iamAdminS3Client();
    const keys = ['AWSLogs/east.log', 'AWSLogs/west.log', 'AWSLogs/archived.log'];
    const etags: string[] = [];
    for (const [i, key] of keys.entries()) {
      const put = await admin.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: albObject(10 + i, LINES),
          ...(key.includes('archived') ? { StorageClass: 'GLACIER' as const } : {}),
        }),
      );
      etags.push(put.ETag!.replace(/"/g, ''));
    }
    // The queue on the plain moto server (SQS keeps the task's own credentials); S3 and STS through a recorder.
    const sqs = testSqsClient();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('xacct-events') }));
    const queueUrl = QueueUrl!;
    const regions = ['us-east-1', 'eu-west-1', 'us-east-1'];
    for (const [i, key] of keys.entries()) {
      const record = { ...s3Record(bucket, key, etags[i]!, 100), awsRegion: regions[i] };
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ Records: [record] }) }),
      );
    }
    const proxy = await startRecordingProxy(iamEndpoint());
    proxies.push(proxy);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-xacct-sqs-'));
    const config = join(dir, 'pipeline.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: xacct-notified
    source:
      type: s3
      bucket: ${bucket}
      region: us-east-1
      endpoint: "${proxy.url}"
      force_path_style: true
      role_arn: "${roleArn}"
      external_id: ${EXTERNAL_ID}
      notifications:
        queue_url: "${queueUrl}"
        endpoint: "${awsEndpoint()}"
        wait_time_seconds: 1
        visibility_timeout_seconds: 30
        claims: { type: dynamodb, table: ${uniqueName('claims')}, create_table: true, endpoint: "${awsEndpoint(true)}" }
    parser: { type: alb }
    outputs: [ { type: file, path: out/notified.ndjson } ]
    checkpoint: { type: file, directory: state }
    dead_letter: { type: file, path: dead-letter.ndjson }
    max_pause_seconds: 1
`,
    );
    const sluice = startSluice(['run', '--once', '--config', config], env);
    const exit = await sluice.exited;
    const output = sluice.output();
    expect(exit.code, output.slice(-3000)).toBe(0);

    // The two readable objects stored, the archived one skipped (not quarantined), every message deleted.
    expect(ndjsonLines(join(dir, 'out', 'notified.ndjson'))).toBe(2 * LINES);
    expect(ndjsonLines(join(dir, 'dead-letter.ndjson'))).toBe(0);
    expect(output).toContain('object skipped: its storage class needs a restore before it can be read');
    expect(await messagesLeft(sqs, queueUrl)).toBe(0);

    // Every S3 call signed by the role's session, never the task's key; each object read in its record's region.
    const signed = proxy.requests.map((request) => ({
      ...signedWith(request),
      url: request.url,
      status: request.status,
    }));
    const s3Calls = signed.filter((call) => call.service === 's3');
    expect(signed.filter((call) => call.service === 'sts').map((call) => call.key)).toContain(
      user.credentials.accessKeyId,
    );
    expect(s3Calls.length).toBeGreaterThan(0);
    expect(s3Calls.filter((call) => call.key === user.credentials.accessKeyId)).toEqual([]);
    const regionsOf = (key: string) => new Set(s3Calls.filter((call) => call.url.includes(key)).map((c) => c.region));
    expect(regionsOf('west.log')).toEqual(new Set(['eu-west-1']));
    expect(regionsOf('east.log')).toEqual(new Set(['us-east-1']));
    // The archived object was only headed: its storage class was known before any GetObject.
    expect(s3Calls.filter((call) => call.url.includes('archived.log')).length).toBe(1);
  }, 180_000);

  it("renews the role's session five minutes before it expires, not before", async () => {
    const roleArn = 'arn:aws:iam::210987654321:role/sluice-log-reader';
    // The task's own credentials, as the default chain finds them in a task's environment.
    vi.stubEnv('AWS_ACCESS_KEY_ID', testCredentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', testCredentials.secretAccessKey);
    const clients = new S3Clients(
      { region: 'us-east-1', endpoint: awsEndpoint(), force_path_style: true, role_arn: roleArn },
      'renewal',
    );
    const client = clients.source;
    const first = await client.config.credentials();
    expect(first.expiration).toBeInstanceOf(Date);
    const lifetime = first.expiration!.getTime() - Date.now();
    // Only the clock moves (STS answers as it is); moto's sessions last an hour, as AWS's default.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(first.expiration!.getTime() - 10 * 60_000);
      expect((await client.config.credentials()).accessKeyId).toBe(first.accessKeyId);
      vi.setSystemTime(first.expiration!.getTime() - 4 * 60_000);
      const renewed = await client.config.credentials();
      expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
      expect(renewed.expiration!.getTime()).toBeGreaterThan(first.expiration!.getTime());
    } finally {
      vi.useRealTimers();
      vi.unstubAllEnvs();
    }
    expect(lifetime).toBeGreaterThan(10 * 60_000);
  });
});
