import { describe, expect, it } from 'vitest';
import { mapAwsRequest, type RawAwsRequest } from '../helpers/aws-request.js';

const signed = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKIA/20240501/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
});
const s3 = (method: string, url: string, headers: Record<string, string> = {}): RawAwsRequest => ({
  method,
  url,
  headers: { ...signed('s3'), ...headers },
  body: Buffer.alloc(0),
});

describe('mapAwsRequest', () => {
  it.each([
    [
      'a delimiter listing',
      s3('GET', '/logs?list-type=2&prefix=AWSLogs%2F&delimiter=%2F'),
      {
        operation: 'ListObjectsV2',
        action: 's3:ListBucket',
        resource: 'arn:aws:s3:::logs',
        context: { 's3:prefix': 'AWSLogs/', 's3:delimiter': '/' },
      },
    ],
    [
      'a listing without prefix',
      s3('GET', '/logs?list-type=2&start-after=x'),
      { operation: 'ListObjectsV2', action: 's3:ListBucket', resource: 'arn:aws:s3:::logs', context: {} },
    ],
    [
      'a read of an encoded key',
      s3('GET', '/logs/AWSLogs/1/a%20b%2Bc.log.gz?x-id=GetObject'),
      {
        operation: 'GetObject',
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::logs/AWSLogs/1/a b+c.log.gz',
        context: {},
      },
    ],
    [
      'a HEAD of a key',
      s3('HEAD', '/logs/k'),
      { operation: 'HeadObject', action: 's3:GetObject', resource: 'arn:aws:s3:::logs/k', context: {} },
    ],
    [
      'a conditional put',
      s3('PUT', '/state/sluice/checkpoints/alb.json?x-id=PutObject', { 'if-none-match': '*' }),
      {
        operation: 'PutObject',
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::state/sluice/checkpoints/alb.json',
        context: {},
      },
    ],
  ])('maps %s', (_name, request, expected) => {
    expect(mapAwsRequest(request, '123456789012')).toEqual({ service: 's3', ...expected });
  });

  it('maps a DynamoDB call to its table in the signing region and the given account', () => {
    const request: RawAwsRequest = {
      method: 'POST',
      url: '/',
      headers: { ...signed('dynamodb'), 'x-amz-target': 'DynamoDB_20120810.PutItem' },
      body: Buffer.from(JSON.stringify({ TableName: 'sluice-checkpoints', Item: {} })),
    };
    expect(mapAwsRequest(request, '123456789012')).toEqual({
      service: 'dynamodb',
      operation: 'PutItem',
      action: 'dynamodb:PutItem',
      resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/sluice-checkpoints',
      context: {},
    });
  });

  it.each([
    ['a copy', s3('PUT', '/logs/k?x-id=CopyObject', { 'x-amz-copy-source': '/other/k' })],
    ['a multipart upload', s3('POST', '/logs/k?uploads')],
    ['an unsigned request', { ...s3('GET', '/logs/k'), headers: {} }],
  ])('refuses to map %s rather than let it pass unchecked', (_name, request) => {
    expect(() => mapAwsRequest(request, '123456789012')).toThrow();
  });
});
