import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CheckpointError, type ErrorContext, errorMessage } from '../core/errors.js';
import { type CheckpointState, decodeState, encodeState } from './state.js';
import { type CheckpointStore, checkpointDenied, saveFailure, type VersionedState } from './store.js';

/** What the store does with its table: reads the item when the lease is taken, writes it on every save. */
const DYNAMODB_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;
/** With create_table, before the first read: create the table unless it exists, then wait until it is ACTIVE. */
const CREATE_TABLE_ACTIONS = ['dynamodb:CreateTable', 'dynamodb:DescribeTable'] as const;

/** DynamoDB items are at most 400 KB; stay clear of it so the key and attributes always fit. */
export const MAX_DYNAMODB_STATE_BYTES = 350 * 1024;

export interface DynamoCheckpointStoreOptions {
  client: DynamoDBClient;
  table: string;
  name: string;
  pipeline: string;
  /**
   * Create the table before the first read or write (`create_table`). Deferred to then so that
   * building the pipeline (`sluice validate`, the check before a run) contacts no service.
   */
  createTable?: boolean;
}

/**
 * One item per checkpoint, keyed by `pipeline` (the checkpoint name). `version` is a number
 * checked by a ConditionExpression on every write; the state is gzip-compressed JSON in the
 * binary attribute `state`, which keeps a done-set of thousands of keys under the item limit.
 */
export class DynamoCheckpointStore implements CheckpointStore {
  private tableReady: Promise<void> | undefined;

  constructor(private readonly options: DynamoCheckpointStoreOptions) {}

  /** Creates the table once when asked to; a failed attempt is tried again by the next call. */
  private ensureReady(): Promise<void> {
    if (!this.options.createTable) return Promise.resolve();
    this.tableReady ??= DynamoCheckpointStore.ensureTable(this.options.client, this.options.table).catch(
      (error: unknown) => {
        this.tableReady = undefined;
        throw error;
      },
    );
    return this.tableReady;
  }

  describe(): string {
    return `dynamodb://${this.options.table}/${this.options.name}`;
  }

  /** Creates the table (on-demand billing, partition key `pipeline`) unless it exists, and waits until it is ACTIVE. */
  static async ensureTable(client: DynamoDBClient, table: string, maxWaitSeconds = 120): Promise<void> {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'pipeline', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pipeline', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) {
        const denied = await tableDenied(client, table, error, 'dynamodb:CreateTable', CREATE_TABLE_ACTIONS, { table });
        if (denied) throw denied;
        throw new CheckpointError(
          `cannot create checkpoint table ${table}: ${errorMessage(error)}; create it yourself (partition key "pipeline", type S) or allow dynamodb:CreateTable`,
          { table },
          error,
        );
      }
    }
    try {
      await waitUntilTableExists(
        { client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 },
        { TableName: table },
      );
    } catch (error) {
      const denied = await tableDenied(client, table, error, 'dynamodb:DescribeTable', CREATE_TABLE_ACTIONS, { table });
      if (denied) throw denied;
      throw new CheckpointError(
        `checkpoint table ${table} did not become ACTIVE: ${errorMessage(error)}`,
        { table },
        error,
      );
    }
  }

  async load(): Promise<VersionedState | null> {
    await this.ensureReady();
    const { client, table, name } = this.options;
    let item: Record<string, AttributeValue> | undefined;
    try {
      const got = await client.send(
        new GetItemCommand({ TableName: table, Key: { pipeline: { S: name } }, ConsistentRead: true }),
      );
      item = got.Item;
    } catch (error) {
      throw (
        (await this.denied(error, 'dynamodb:GetItem')) ??
        new CheckpointError(`cannot read checkpoint ${this.describe()}: ${errorMessage(error)}`, this.context(), error)
      );
    }
    if (!item) return null;
    const version = item.version?.N;
    const blob = item.state?.B;
    if (!version || !blob) {
      throw new CheckpointError(
        `checkpoint ${this.describe()} lacks its version or state attribute; delete the item to start over`,
        this.context(),
      );
    }
    try {
      return { state: decodeState(gunzipSync(blob).toString('utf8')), version };
    } catch (error) {
      throw new CheckpointError(
        `checkpoint ${this.describe()} is unreadable (${errorMessage(error)}); delete the item to start over or restore a good copy`,
        this.context(),
        error,
      );
    }
  }

  async save(state: CheckpointState, expectedVersion: string | null): Promise<string> {
    // Serialized before the first await (CheckpointStore's contract): the caller keeps changing it.
    const blob = gzipSync(encodeState(state));
    if (blob.length > MAX_DYNAMODB_STATE_BYTES) {
      throw new CheckpointError(
        `checkpoint ${this.describe()} is ${Math.round(blob.length / 1024)} KB compressed, above the ${MAX_DYNAMODB_STATE_BYTES / 1024} KB that fits a DynamoDB item: too many objects inside the lookback window. Shorten the source's lookback_minutes, or use the s3 checkpoint store`,
        { ...this.context(), bytes: blob.length },
      );
    }
    const updatedAt = String(state.updated_at);
    await this.ensureReady();
    const next = expectedVersion === null ? 1 : Number(expectedVersion) + 1;
    const { client, table, name } = this.options;
    try {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pipeline: { S: name },
            version: { N: String(next) },
            state: { B: blob },
            updated_at: { N: updatedAt },
          },
          ...(expectedVersion === null
            ? {
                ConditionExpression: 'attribute_not_exists(#pipeline)',
                ExpressionAttributeNames: { '#pipeline': 'pipeline' },
              }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': { N: expectedVersion } },
              }),
        }),
      );
      return String(next);
    } catch (error) {
      throw (
        (await this.denied(error, 'dynamodb:PutItem')) ??
        saveFailure(
          this.describe(),
          expectedVersion,
          this.context(),
          error,
          error instanceof ConditionalCheckFailedException,
        )
      );
    }
  }

  private denied(error: unknown, action: string): Promise<CheckpointError | undefined> {
    return tableDenied(this.options.client, this.options.table, error, action, DYNAMODB_ACTIONS, this.context());
  }

  private context() {
    return { pipeline: this.options.pipeline, table: this.options.table, checkpoint: this.options.name };
  }
}

/**
 * A call on the checkpoint table that IAM refused, naming the action and the table's ARN (as
 * checkpointDenied does for S3), or undefined for any other failure. AWS's message names the ARN
 * ("... is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:...");
 * without it the ARN is built from the client's region, with `*` for the account it does not know.
 */
export async function tableDenied(
  client: DynamoDBClient,
  table: string,
  error: unknown,
  action: string,
  actions: readonly string[],
  context: ErrorContext,
): Promise<CheckpointError | undefined> {
  const named = /on resource: (arn:[\w-]+:dynamodb:[^\s]+:table\/[^\s/]+)/.exec(errorMessage(error))?.[1];
  const region = named ? undefined : await client.config.region().catch(() => '*');
  const resource = named ?? `arn:aws:dynamodb:${region}:*:table/${table}`;
  return checkpointDenied(error, { action, actions, resource, context });
}
