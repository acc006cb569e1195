import { randomBytes } from 'node:crypto';
import { DeleteItemCommand, DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCheckpointStore } from '../../../src/checkpoint/dynamodb-checkpoint-store.js';
import { createCheckpointStore } from '../../../src/checkpoint/index.js';
import { emptyState } from '../../../src/checkpoint/state.js';
import { CheckpointConflictError, CheckpointError } from '../../../src/core/errors.js';
import { leaseRace, renewalKeepsWaiterOut, takeoverAfterExpiry } from '../../checkpoint/lease-scenarios.js';
import { componentContext } from '../../helpers/component-context.js';
import { awsEndpoint, testCredentials, testDynamoClient, testRegion, uniqueName } from '../../helpers/services.js';

describe('DynamoCheckpointStore', () => {
  const dynamo = testDynamoClient();
  let table: string;
  beforeAll(async () => {
    table = uniqueName('cp');
    await DynamoCheckpointStore.ensureTable(dynamo, table);
  });
  const store = (name = uniqueName('p')) => new DynamoCheckpointStore({ client: dynamo, table, name, pipeline: name });

  it('creates the table with partition key pipeline when asked, and accepts an existing one', async () => {
    const described = await dynamo.send(new DescribeTableCommand({ TableName: table }));
    expect(described.Table?.KeySchema).toEqual([{ AttributeName: 'pipeline', KeyType: 'HASH' }]);
    expect(described.Table?.TableStatus).toBe('ACTIVE');
    await DynamoCheckpointStore.ensureTable(dynamo, table);
  });

  it('loads null when no checkpoint exists', async () => {
    expect(await store().load()).toBeNull();
  });

  it('saves and loads the state with a numeric version when saves follow each other', async () => {
    const s = store('waf');
    const state = emptyState();
    state.in_progress['big.gz'] = { etag: '"e"', last_modified: 1_700_000_000_000, record: 99 };
    const v1 = await s.save(state, null);
    state.watermark = 1_700_000_000_000;
    const v2 = await s.save(state, v1);
    expect([v1, v2]).toEqual(['1', '2']);
    expect(await s.load()).toEqual({ state, version: '2' });
  });

  it.each([
    ['creating when one exists', null],
    ['updating with a stale version', '1'],
    ['updating with a version from the future', '7'],
  ])('throws CheckpointConflictError when %s', async (_name, expected) => {
    const s = store();
    const v1 = await s.save(emptyState(), null);
    await s.save(emptyState(), v1);
    await expect(s.save(emptyState(), expected)).rejects.toBeInstanceOf(CheckpointConflictError);
    expect((await s.load())?.version).toBe('2');
  });

  it('throws CheckpointConflictError when the item was deleted since it was read', async () => {
    const name = uniqueName('p');
    const s = store(name);
    const v1 = await s.save(emptyState(), null);
    await dynamo.send(new DeleteItemCommand({ TableName: table, Key: { pipeline: { S: name } } }));
    await expect(s.save(emptyState(), v1)).rejects.toBeInstanceOf(CheckpointConflictError);
  });

  it('stores a done-set of thousands of keys compressed when it fits the item limit', async () => {
    const s = store();
    const state = emptyState();
    for (let i = 0; i < 5000; i++) {
      state.done[`AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/01/01/file-${i}.log.gz`] = {
        etag: `"${i.toString(16).padStart(32, '0')}"`,
        last_modified: 1_700_000_000_000 + i,
      };
    }
    const version = await s.save(state, null);
    expect((await s.load())?.state.done).toEqual(state.done);
    expect(version).toBe('1');
  });

  it('throws CheckpointError telling to shorten lookback_minutes when the state exceeds the item limit', async () => {
    const s = store();
    const state = emptyState();
    // Random ETags do not compress: about 550 KB of gzip.
    for (let i = 0; i < 14000; i++) {
      state.done[`k/${randomBytes(16).toString('hex')}`] = {
        etag: `"${randomBytes(16).toString('hex')}"`,
        last_modified: i,
      };
    }
    const error = await s.save(state, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).not.toBeInstanceOf(CheckpointConflictError);
    expect((error as Error).message).toContain('lookback_minutes');
    expect(await s.load()).toBeNull();
  });

  it('throws CheckpointError when the item is not a checkpoint', async () => {
    const name = uniqueName('p');
    await dynamo.send(new PutItemCommand({ TableName: table, Item: { pipeline: { S: name }, version: { N: '1' } } }));
    await expect(store(name).load()).rejects.toBeInstanceOf(CheckpointError);
  });

  it('throws CheckpointError (not a conflict) when the table does not exist', async () => {
    const s = new DynamoCheckpointStore({ client: dynamo, table: uniqueName('missing'), name: 'x', pipeline: 'x' });
    await expect(s.load()).rejects.toBeInstanceOf(CheckpointError);
    const error = await s.save(emptyState(), null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).not.toBeInstanceOf(CheckpointConflictError);
  });

  it('creates the table and a working store from config when create_table is true', async () => {
    process.env.AWS_ACCESS_KEY_ID = testCredentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = testCredentials.secretAccessKey;
    const newTable = uniqueName('cfg');
    const built = await createCheckpointStore(
      {
        type: 'dynamodb',
        table: newTable,
        region: testRegion,
        endpoint: awsEndpoint(),
        create_table: true,
        lease_seconds: 30,
        flush_interval_seconds: 1,
      },
      componentContext({ pipeline: 'cfg' }),
      'backfill-cfg-2024-01-01-2024-02-01',
    );
    expect(built.describe()).toBe(`dynamodb://${newTable}/backfill-cfg-2024-01-01-2024-02-01`);
    expect(await built.save(emptyState(), null)).toBe('1');
    expect((await built.load())?.version).toBe('1');
  });
});

describe('PipelineCheckpoint on DynamoDB (serial moto: atomic conditional writes)', () => {
  const dynamo = testDynamoClient(true);
  let table: string;
  beforeAll(async () => {
    table = uniqueName('lease');
    await DynamoCheckpointStore.ensureTable(dynamo, table);
  });
  const factoryFor = (name: string) => () => new DynamoCheckpointStore({ client: dynamo, table, name, pipeline: name });

  it('grants the lease to exactly one of twelve owners at a time when they race', async () => {
    await leaseRace(factoryFor(uniqueName('race')), 12, 3000); // 3 s: a loaded machine stalls timers
  });

  it('lets a second owner take over within the lease time and fences the stale one', async () => {
    await takeoverAfterExpiry(factoryFor(uniqueName('takeover')));
  });

  it('keeps a waiter out while the holder renews', async () => {
    await renewalKeepsWaiterOut(factoryFor(uniqueName('renew')));
  });
});
