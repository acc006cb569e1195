import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamodb-checkpoint-store.js';
import { emptyState } from '../../src/checkpoint/state.js';
import { CheckpointError } from '../../src/core/errors.js';

/** An error shaped as the SDK throws DynamoDB's AccessDeniedException. */
function accessDenied(message: string): Error {
  return Object.assign(new Error(message), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
}

/** A client whose every call throws `error`, in `region`. */
function failingClient(error: unknown, region = 'eu-west-1'): DynamoDBClient {
  return {
    send: async () => {
      throw error;
    },
    config: { region: async () => region },
  } as unknown as DynamoDBClient;
}

function store(client: DynamoDBClient, createTable = false): DynamoCheckpointStore {
  return new DynamoCheckpointStore({ client, table: 'sluice-checkpoints', name: 'alb', pipeline: 'alb', createTable });
}

async function failure(promise: Promise<unknown>): Promise<CheckpointError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  return error as CheckpointError;
}

describe('DynamoCheckpointStore', () => {
  const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/sluice-checkpoints';

  it('names dynamodb:PutItem and the ARN AWS gives, and hints at both actions, when IAM denies a save', async () => {
    const denied = accessDenied(
      `User: arn:aws:sts::123456789012:assumed-role/task/abc is not authorized to perform: dynamodb:PutItem on resource: ${arn} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    const error = await failure(store(failingClient(denied)).save(emptyState(), '3'));
    expect(error.message).toMatch(new RegExp(`^dynamodb:PutItem denied on ${arn} \\(checkpoint\\)`));
    expect(error.hint).toContain(`Allow dynamodb:GetItem and dynamodb:PutItem on ${arn}`);
    expect(error.context).toMatchObject({ action: 'dynamodb:PutItem', resource: arn, table: 'sluice-checkpoints' });
  });

  it('builds the ARN from the region with * for the account when the denial names none (HTTP 403)', async () => {
    const denied = Object.assign(new Error('forbidden'), { $metadata: { httpStatusCode: 403 } });
    const error = await failure(store(failingClient(denied)).load());
    expect(error.message).toContain('dynamodb:GetItem denied on arn:aws:dynamodb:eu-west-1:*:table/sluice-checkpoints');
  });

  it('names dynamodb:CreateTable and the actions create_table needs when IAM denies creating the table', async () => {
    const denied = accessDenied(`not authorized to perform: dynamodb:CreateTable on resource: ${arn}`);
    const error = await failure(store(failingClient(denied), true).load());
    expect(error.message).toContain(`dynamodb:CreateTable denied on ${arn}`);
    expect(error.hint).toContain(`Allow dynamodb:CreateTable and dynamodb:DescribeTable on ${arn}`);
  });

  it('keeps the generic message when a call fails for another reason', async () => {
    const error = await failure(store(failingClient(new Error('socket hang up'))).load());
    expect(error.message).toBe('cannot read checkpoint dynamodb://sluice-checkpoints/alb: socket hang up');
  });
});
