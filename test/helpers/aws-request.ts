/**
 * What IAM authorizes for one raw S3 or DynamoDB HTTP request, as AWS documents it
 * (the "Actions, resources, and condition keys" pages of the service authorization
 * reference): the action, the resource ARN, and the condition keys the request carries.
 * Only the requests sluice and these tests send are mapped; anything else is refused with
 * an error, so a new kind of request can never pass unchecked.
 */
import type { AuthorizationRequest } from './iam-policy-evaluator.js';

export interface RawAwsRequest {
  method: string;
  /** Path and query as sent (`/bucket/key?x=1`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface MappedRequest extends AuthorizationRequest {
  service: 's3' | 'dynamodb';
  /** The API operation, for messages (`ListObjectsV2`, `GetItem`). */
  operation: string;
}

const header = (request: RawAwsRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** The region and service of the SigV4 credential scope (`Credential=AKID/20240501/us-east-1/s3/aws4_request`). */
function signingScope(request: RawAwsRequest): { region: string; service: string } {
  const match = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(header(request, 'authorization') ?? '');
  if (!match) throw new Error(`unsigned request ${request.method} ${request.url}`);
  return { region: match[1]!, service: match[2]! };
}

/** A path-style S3 request (`/bucket`, `/bucket/key`): the endpoints tests give are IP addresses. */
function mapS3(request: RawAwsRequest): MappedRequest {
  const url = new URL(request.url, 'http://127.0.0.1');
  const [, bucketPart = '', ...keyParts] = url.pathname.split('/');
  const bucket = decodeURIComponent(bucketPart);
  const key = keyParts.map(decodeURIComponent).join('/');
  const method = request.method.toUpperCase();
  const query = url.searchParams;
  const s3 = (operation: string, action: string, resource: string, context: Record<string, string> = {}) => ({
    service: 's3' as const,
    operation,
    action,
    resource,
    context,
  });
  if (bucket === '') {
    if (method === 'GET') return s3('ListBuckets', 's3:ListAllMyBuckets', '*');
  } else if (key === '') {
    const bucketArn = `arn:aws:s3:::${bucket}`;
    if (method === 'GET' && (query.get('list-type') === '2' || query.size === 0)) {
      const context: Record<string, string> = {};
      for (const [param, name] of [
        ['prefix', 's3:prefix'],
        ['delimiter', 's3:delimiter'],
        ['max-keys', 's3:max-keys'],
      ] as const) {
        const value = query.get(param);
        if (value !== null) context[name] = value;
      }
      return s3(query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', 's3:ListBucket', bucketArn, context);
    }
    if (method === 'HEAD') return s3('HeadBucket', 's3:ListBucket', bucketArn);
    if (method === 'PUT' && query.size === 0) return s3('CreateBucket', 's3:CreateBucket', bucketArn);
  } else {
    const objectArn = `arn:aws:s3:::${bucket}/${key}`;
    const plain = query.size === 0 || (query.size === 1 && query.has('x-id'));
    if (plain && (method === 'GET' || method === 'HEAD'))
      return s3(method === 'GET' ? 'GetObject' : 'HeadObject', 's3:GetObject', objectArn);
    if (plain && method === 'PUT' && header(request, 'x-amz-copy-source') === undefined)
      return s3('PutObject', 's3:PutObject', objectArn);
    if (plain && method === 'DELETE') return s3('DeleteObject', 's3:DeleteObject', objectArn);
  }
  throw new Error(`no IAM mapping for the S3 request ${method} ${request.url}`);
}

/** A DynamoDB JSON request: the operation in X-Amz-Target, the table in the body. */
function mapDynamo(request: RawAwsRequest, region: string, account: string): MappedRequest {
  const target = header(request, 'x-amz-target') ?? '';
  const operation = /^DynamoDB_20120810\.(\w+)$/.exec(target)?.[1];
  if (!operation) throw new Error(`no IAM mapping for the DynamoDB request with target "${target}"`);
  const table = (JSON.parse(request.body.toString('utf8') || '{}') as { TableName?: string }).TableName;
  if (!table) throw new Error(`DynamoDB ${operation} without a TableName: no IAM mapping`);
  return {
    service: 'dynamodb',
    operation,
    action: `dynamodb:${operation}`,
    resource: `arn:aws:dynamodb:${region}:${account}:table/${table}`,
    context: {},
  };
}

/** Maps one signed request to what IAM authorizes; `account` owns the DynamoDB tables. */
export function mapAwsRequest(request: RawAwsRequest, account: string): MappedRequest {
  const { region, service } = signingScope(request);
  if (service === 's3') return mapS3(request);
  if (service === 'dynamodb') return mapDynamo(request, region, account);
  throw new Error(`no IAM mapping for the service ${service}`);
}
