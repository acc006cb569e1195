import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { mapAwsRequest } from '../../helpers/aws-request.js';
import { createIamUser, type IamUser, iamAdminS3Client, iamEndpoint } from '../../helpers/iam.js';
import { evaluatePolicy } from '../../helpers/iam-policy-evaluator.js';
import { documentCount } from '../../helpers/index-assertions.js';
import { type RecordingProxy, startRecordingProxy } from '../../helpers/recording-proxy.js';
import {
  awsEndpoint,
  geoipDatabasePath,
  openSearchUrl,
  testDynamoClient,
  testOpenSearchClient,
  uniqueName,
} from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';
import {
  ACCOUNT,
  albDeliveryKey,
  albRecords,
  dailyIndex,
  pipelinesDir,
  privateDay,
  shippedPolicy,
  taskEnvironment,
  wafDeliveryKey,
  wafRecords,
} from './deploy-kit.js';

const ALB_LINES = 40;
const WAF_LINES = 30;

const users: IamUser[] = [];
const proxies: RecordingProxy[] = [];
const indices: string[] = [];
afterAll(async () => {
  for (const user of users) await user.remove().catch(() => undefined);
  await Promise.all(proxies.map((proxy) => proxy.close()));
  for (const index of indices)
    await testOpenSearchClient()
      .indices.delete({ index })
      .catch(() => undefined);
});

describe('deploy/ecs/iam-policy.json', () => {
  it('lets the shipped pipelines ingest, checkpoint and dead-letter end to end when it is the only policy of the role', async () => {
    const admin = iamAdminS3Client();
    const names = {
      albBucket: uniqueName('alb-logs'),
      wafBucket: uniqueName('aws-waf-logs'),
      stateBucket: uniqueName('sluice-state'),
      table: uniqueName('sluice-checkpoints'),
    };
    for (const bucket of [names.albBucket, names.wafBucket, names.stateBucket])
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    // waf.yml keeps its checkpoint in DynamoDB, in a table the operator creates.
    await testDynamoClient().send(
      new CreateTableCommand({
        TableName: names.table,
        AttributeDefinitions: [{ AttributeName: 'pipeline', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pipeline', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    // Objects delivered now, in today's partitions; their records dated on a day of their own.
    const day = privateDay();
    const albIndex = dailyIndex('alb-logs', day);
    const wafIndex = dailyIndex('waf-logs', day);
    const blockedIndex = dailyIndex('waf-blocked', day);
    indices.push(albIndex, wafIndex, blockedIndex);
    const startedAt = new Date(Date.now() - 60_000);
    const now = new Date();
    for (let i = 0; i < 2; i++) {
      const garbage = i === 0 ? 1 : 0;
      await admin.send(
        new PutObjectCommand({
          Bucket: names.albBucket,
          Key: albDeliveryKey(now, i),
          Body: albRecords(i, ALB_LINES, day, garbage),
        }),
      );
      await admin.send(
        new PutObjectCommand({
          Bucket: names.wafBucket,
          Key: wafDeliveryKey(now, i),
          Body: wafRecords(i, WAF_LINES, day, garbage),
        }),
      );
    }

    const values = {
      'example-alb-logs': names.albBucket,
      'aws-waf-logs-example': names.wafBucket,
      'example-sluice-state': names.stateBucket,
      'sluice-checkpoints': names.table,
      [ACCOUNT]: ACCOUNT,
      'us-east-1': 'us-east-1',
    };
    const policy = shippedPolicy(values);
    const user = await createIamUser(policy);
    users.push(user);
    // S3 through a recorder to the moto server that enforces IAM; DynamoDB through a recorder to
    // the plain one (moto judges DynamoDB calls against Resource "*" only: the evaluator judges them).
    const s3Proxy = await startRecordingProxy(iamEndpoint());
    const dynamoProxy = await startRecordingProxy(awsEndpoint());
    proxies.push(s3Proxy, dynamoProxy);

    const run = startSluice(['run', '--once', '--config', pipelinesDir], {
      ...taskEnvironment(values),
      SLUICE_HTTP_PORT: '0',
      // What the task definition takes from Secrets Manager, and what differs on this machine.
      OPENSEARCH_PASSWORD: 'not-checked-by-the-test-node',
      OPENSEARCH_URL: openSearchUrl(),
      GEOIP_DATABASE: geoipDatabasePath(),
      ALB_START_TIME: startedAt.toISOString(),
      WAF_START_TIME: startedAt.toISOString(),
      AWS_ENDPOINT_URL_S3: s3Proxy.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoProxy.url,
      AWS_ACCESS_KEY_ID: user.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: user.credentials.secretAccessKey,
    });
    const timer = setTimeout(() => run.child.kill('SIGTERM'), 90_000);
    const exit = await run.exited;
    clearTimeout(timer);
    const output = run.output();

    // Every request sluice sent, judged by the policy: moto's own answer covers Action and
    // Resource of S3 calls, the evaluator also the s3:prefix conditions and the DynamoDB table.
    const judged = [...s3Proxy.requests, ...dynamoProxy.requests].map((request) => {
      const mapped = mapAwsRequest(request, ACCOUNT);
      const describe = `${mapped.operation} ${mapped.resource}${mapped.context['s3:prefix'] !== undefined ? ` prefix=${mapped.context['s3:prefix']}` : ''}`;
      return { describe, status: request.status, decision: evaluatePolicy(policy, mapped).decision };
    });
    const denied = judged.filter((j) => j.decision !== 'allow' || j.status === 403).map((j) => j.describe);
    expect(denied, output.slice(-3000)).toEqual([]);
    const operations = new Set(judged.map((j) => j.describe.split(' ')[0]));
    for (const operation of ['ListObjectsV2', 'GetObject', 'PutObject', 'GetItem', 'PutItem'])
      expect(operations).toContain(operation);

    expect(exit, output.slice(-3000)).toEqual({ code: 0, signal: null });
    expect(await documentCount(albIndex)).toBe(2 * ALB_LINES);
    expect(await documentCount(wafIndex)).toBe(2 * WAF_LINES);
    expect(await documentCount(blockedIndex)).toBe(2 * Math.ceil(WAF_LINES / 3));

    // The checkpoints and dead-letter entries were written where the pipelines keep them.
    const state = await admin.send(new ListObjectsV2Command({ Bucket: names.stateBucket }));
    const keys = (state.Contents ?? []).map((object) => object.Key!);
    expect(keys).toContain('sluice/checkpoints/alb.json');
    expect(keys.filter((key) => key.startsWith('sluice/dead-letter/alb/'))).toHaveLength(1);
    expect(keys.filter((key) => key.startsWith('sluice/dead-letter/waf/'))).toHaveLength(1);
    const item = await testDynamoClient().send(
      new GetItemCommand({ TableName: names.table, Key: { pipeline: { S: 'waf' } } }),
    );
    expect(item.Item?.state?.B).toBeDefined();
  });

  it('needs the evaluator because moto lets through a listing an s3:prefix condition denies', async () => {
    const admin = iamAdminS3Client();
    const bucket = uniqueName('iam-condition');
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    const policy = {
      Version: '2012-10-17' as const,
      Statement: [
        {
          Effect: 'Allow' as const,
          Action: 's3:ListBucket',
          Resource: `arn:aws:s3:::${bucket}`,
          Condition: { StringEquals: { 's3:prefix': 'other/' } },
        },
      ],
    };
    const user = await createIamUser(policy);
    users.push(user);
    const proxy = await startRecordingProxy(iamEndpoint());
    proxies.push(proxy);
    const { S3Client } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ endpoint: proxy.url, region: 'us-east-1', credentials: user.credentials });
    await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'AWSLogs/', Delimiter: '/' }));
    const [request] = proxy.requests;
    expect(request!.status).toBe(200);
    expect(evaluatePolicy(policy, mapAwsRequest(request!, ACCOUNT))).toEqual({ decision: 'implicit_deny' });
  });
});
