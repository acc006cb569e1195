import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { errorMessage, SluiceError } from '../core/errors.js';
import { type Claim, type ClaimId, type ClaimState, claimKey, type VersionedClaim } from './claim.js';
import type { ClaimStore } from './claim-store.js';

/** The partition key of the claim table (string). */
export const CLAIM_KEY_ATTRIBUTE = 'claim';
/** The attribute DynamoDB's TTL reads (epoch seconds). */
export const CLAIM_TTL_ATTRIBUTE = 'delete_after';

const STATES = new Set<ClaimState>(['in_progress', 'done', 'quarantined']);

export interface DynamoClaimStoreOptions {
  client: DynamoDBClient;
  table: string;
  pipeline: string;
  /** Create the table (and turn its TTL on) at the first contact. */
  createTable: boolean;
}

/** A claim store that cannot be read or written: the pipeline pauses (like a checkpoint store). */
export function claimStoreError(message: string, context: Record<string, unknown>, cause?: unknown): SluiceError {
  return new SluiceError('ERR_CHECKPOINT', message, {
    context,
    cause,
    hint:
      'Check that the claim table exists (partition key "claim", type S) and that the task may call ' +
      'dynamodb:GetItem and dynamodb:PutItem on it; the pipeline retries by itself.',
  });
}

/**
 * One item per claim, keyed by `claim` (claimKey: the pipeline, bucket, key and ETag as a JSON
 * array), its fields as plain attributes, so operators can read them in the console. Every write
 * is a whole PutItem conditional on `version` (or on the item not existing).
 */
export class DynamoClaimStore implements ClaimStore {
  constructor(private readonly options: DynamoClaimStoreOptions) {}

  describe(): string {
    return `dynamodb://${this.options.table}`;
  }

  async prepare(): Promise<void> {
    const { client, table } = this.options;
    if (this.options.createTable) await this.createTable();
    try {
      await client.send(new DescribeTableCommand({ TableName: table }));
    } catch (error) {
      throw claimStoreError(`cannot reach the claim table ${table}: ${errorMessage(error)}`, this.context(), error);
    }
  }

  private async createTable(): Promise<void> {
    const { client, table } = this.options;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: CLAIM_KEY_ATTRIBUTE, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: CLAIM_KEY_ATTRIBUTE, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: table });
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: table,
          TimeToLiveSpecification: { AttributeName: CLAIM_TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    } catch (error) {
      if (error instanceof ResourceInUseException) return;
      throw claimStoreError(
        `cannot create the claim table ${table}: ${errorMessage(error)}; create it yourself (partition key "claim", type S, TTL on "delete_after") or allow dynamodb:CreateTable and dynamodb:UpdateTimeToLive`,
        this.context(),
        error,
      );
    }
  }

  async load(id: ClaimId): Promise<VersionedClaim | null> {
    const { client, table } = this.options;
    let item: Record<string, AttributeValue> | undefined;
    try {
      const got = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { [CLAIM_KEY_ATTRIBUTE]: { S: claimKey(id) } },
          ConsistentRead: true,
        }),
      );
      item = got.Item;
    } catch (error) {
      throw claimStoreError(
        `cannot read a claim from ${this.describe()}: ${errorMessage(error)}`,
        this.context(id),
        error,
      );
    }
    return item ? this.decode(id, item) : null;
  }

  async save(claim: Claim, expected: number | null): Promise<number | null> {
    const { client, table } = this.options;
    const next = (expected ?? 0) + 1;
    try {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: encode(claim, next),
          ...(expected === null
            ? {
                ConditionExpression: 'attribute_not_exists(#key)',
                ExpressionAttributeNames: { '#key': CLAIM_KEY_ATTRIBUTE },
              }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': { N: String(expected) } },
              }),
        }),
      );
      return next;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw claimStoreError(
        `cannot write a claim to ${this.describe()}: ${errorMessage(error)}`,
        this.context(claim),
        error,
      );
    }
  }

  private decode(id: ClaimId, item: Record<string, AttributeValue>): VersionedClaim {
    const state = item.state?.S as ClaimState | undefined;
    const version = Number(item.version?.N);
    if (!state || !STATES.has(state) || !Number.isInteger(version)) {
      throw claimStoreError(
        `the claim ${claimKey(id)} in ${this.describe()} is not one sluice wrote (state ${JSON.stringify(state)}); delete the item`,
        this.context(id),
      );
    }
    const owner = item.owner?.S;
    const reason = item.reason?.S;
    return {
      version,
      claim: {
        ...id,
        state,
        owner: owner ?? null,
        expires_at: Number(item.expires_at?.N ?? 0),
        record: Number(item.record?.N ?? 0),
        ...(reason === undefined ? {} : { reason }),
        updated_at: Number(item.updated_at?.N ?? 0),
        delete_after: Number(item[CLAIM_TTL_ATTRIBUTE]?.N ?? 0),
      },
    };
  }

  private context(id?: ClaimId): Record<string, unknown> {
    return {
      pipeline: this.options.pipeline,
      table: this.options.table,
      ...(id ? { bucket: id.bucket, key: id.key, etag: id.etag } : {}),
    };
  }
}

function encode(claim: Claim, version: number): Record<string, AttributeValue> {
  const n = (value: number) => ({ N: String(value) });
  return {
    [CLAIM_KEY_ATTRIBUTE]: { S: claimKey(claim) },
    pipeline: { S: claim.pipeline },
    bucket: { S: claim.bucket },
    key: { S: claim.key },
    etag: { S: claim.etag },
    state: { S: claim.state },
    ...(claim.owner === null ? {} : { owner: { S: claim.owner } }),
    expires_at: n(claim.expires_at),
    record: n(claim.record),
    ...(claim.reason === undefined ? {} : { reason: { S: claim.reason } }),
    updated_at: n(claim.updated_at),
    [CLAIM_TTL_ATTRIBUTE]: n(claim.delete_after),
    version: n(version),
  };
}
