import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Client } from '@opensearch-project/opensearch';

/** An endpoint the global setup exported; a missing one fails the test instead of skipping it. */
export function serviceEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: integration tests need scripts/services.sh (run via npm test)`);
  return value;
}

export const testCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
export const testRegion = 'us-east-1';

/** A name no other test uses: buckets, tables, queues and indices are isolated by it. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`.toLowerCase();
}

export function awsEndpoint(atomic = false): string {
  return serviceEnv(atomic ? 'SLUICE_TEST_ATOMIC_AWS_ENDPOINT' : 'SLUICE_TEST_AWS_ENDPOINT');
}

export function testS3Client(atomic = false): S3Client {
  return new S3Client({
    endpoint: awsEndpoint(atomic),
    forcePathStyle: true,
    region: testRegion,
    credentials: testCredentials,
  });
}

export function testDynamoClient(atomic = false): DynamoDBClient {
  return new DynamoDBClient({ endpoint: awsEndpoint(atomic), region: testRegion, credentials: testCredentials });
}

export function testSqsClient(): SQSClient {
  return new SQSClient({ endpoint: awsEndpoint(), region: testRegion, credentials: testCredentials });
}

export function openSearchUrl(): string {
  return serviceEnv('SLUICE_TEST_OPENSEARCH_URL');
}

export function testOpenSearchClient(): Client {
  return new Client({ node: openSearchUrl() });
}

export function geoipDatabasePath(): string {
  return serviceEnv('SLUICE_TEST_GEOIP_DB');
}

export function geoipAsnDatabasePath(): string {
  return serviceEnv('SLUICE_TEST_GEOIP_ASN_DB');
}
