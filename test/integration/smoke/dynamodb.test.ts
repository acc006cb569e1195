import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { testDynamoClient, uniqueName } from '../../helpers/services.js';

describe('DynamoDB server (moto)', () => {
  for (const atomic of [false, true]) {
    it(`fails a conditional write when its condition is false (${atomic ? 'serial' : 'threaded'} server)`, async () => {
      const dynamo = testDynamoClient(atomic);
      const table = uniqueName('smoke');
      await dynamo.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: 'lease' }, version: { N: '1' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      const error = await dynamo
        .send(
          new PutItemCommand({
            TableName: table,
            Item: { pk: { S: 'lease' }, version: { N: '2' } },
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': { N: '7' } },
          }),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConditionalCheckFailedException);
      const item = await dynamo.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'lease' } } }));
      expect(item.Item?.version?.N).toBe('1');
    });
  }
});
