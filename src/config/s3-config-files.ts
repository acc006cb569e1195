import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type AwsErrorShape, awsStatus } from '../core/aws-error.js';
import { ConfigError, errorMessage } from '../core/errors.js';

/** Where an `s3://` config lives: one object (`key` ends in .yml/.yaml), or every YAML object under a prefix. */
export type S3ConfigLocation =
  | { kind: 'object'; bucket: string; key: string }
  | { kind: 'prefix'; bucket: string; prefix: string };

/** One config file's text and the name problems are positioned with (`s3://bucket/key`). */
export interface S3ConfigFile {
  file: string;
  text: string;
}

const YAML_KEY = /\.ya?ml$/;
// S3's rules for bucket names (3-63 characters, lowercase letters, digits, dots and hyphens).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3ConfigUri(path: string): boolean {
  return path.startsWith('s3://');
}

/**
 * `s3://bucket/dir/pipelines.yml` names one object; anything else (`s3://bucket`, `s3://bucket/dir`,
 * `s3://bucket/dir/`) is a folder: the YAML objects directly under it. Throws a ConfigError for a
 * URI that names no bucket.
 */
export function parseS3ConfigUri(uri: string): S3ConfigLocation {
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET_NAME.test(bucket)) {
    throw problemAt(uri, `"${bucket}" is not a bucket name; write s3://BUCKET/PREFIX/ or s3://BUCKET/KEY.yml`);
  }
  if (YAML_KEY.test(key)) return { kind: 'object', bucket, key };
  return { kind: 'prefix', bucket, prefix: key === '' || key.endsWith('/') ? key : `${key}/` };
}

/** How the config's S3 client addresses the bucket; the CLI sets it from SLUICE_CONFIG_S3_FORCE_PATH_STYLE. */
export interface S3ConfigOptions {
  /**
   * Path-style addressing (`http://host/bucket/key`), as `force_path_style` of the S3 source:
   * an S3-compatible server at a custom endpoint with a host name (MinIO, a proxy) needs it, since
   * the virtual-hosted name `bucket.host` does not resolve there.
   */
  forcePathStyle?: boolean;
}

/**
 * The SDK's default chain, as for sluice's other AWS clients: credentials (the ECS task role),
 * region (AWS_REGION) and endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL) from the environment.
 */
function defaultClient(options: S3ConfigOptions): S3Client {
  return new S3Client({ forcePathStyle: options.forcePathStyle === true });
}

/** The config's files, read from S3, in key order. Every failure is a ConfigError naming the URI. */
export async function readS3ConfigFiles(
  uri: string,
  options: S3ConfigOptions = {},
  client: S3Client = defaultClient(options),
): Promise<S3ConfigFile[]> {
  const location = parseS3ConfigUri(uri);
  try {
    const keys = location.kind === 'object' ? [location.key] : await listYamlKeys(client, uri, location);
    const files: S3ConfigFile[] = [];
    for (const key of keys)
      files.push({ file: `s3://${location.bucket}/${key}`, text: await read(client, location.bucket, key) });
    return files;
  } finally {
    client.destroy();
  }
}

/**
 * What identifies this version of the config on S3: each YAML object's key and ETag (one listing
 * for a folder, one HEAD for an object). A reload watch compares it between polls instead of
 * reading every object.
 */
export async function s3ConfigVersion(
  uri: string,
  options: S3ConfigOptions = {},
  client: S3Client = defaultClient(options),
): Promise<string> {
  const location = parseS3ConfigUri(uri);
  try {
    if (location.kind === 'object') {
      const head = await client
        .send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }))
        .catch((error: unknown) => {
          throw s3Problem(uri, error, 's3:GetObject', `arn:aws:s3:::${location.bucket}/${location.key}`);
        });
      return `${location.key} ${head.ETag ?? ''}`;
    }
    const objects = await listYamlObjects(client, uri, location);
    return objects.map(({ key, etag }) => `${key} ${etag}`).join('\n');
  } finally {
    client.destroy();
  }
}

async function listYamlKeys(
  client: S3Client,
  uri: string,
  location: Extract<S3ConfigLocation, { kind: 'prefix' }>,
): Promise<string[]> {
  return (await listYamlObjects(client, uri, location)).map((object) => object.key);
}

async function listYamlObjects(
  client: S3Client,
  uri: string,
  location: Extract<S3ConfigLocation, { kind: 'prefix' }>,
): Promise<Array<{ key: string; etag: string }>> {
  const { bucket, prefix } = location;
  const keys: Array<{ key: string; etag: string }> = [];
  let token: string | undefined;
  do {
    const page = await client
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }))
      .catch((error: unknown) => {
        throw s3Problem(uri, error, 's3:ListBucket', `arn:aws:s3:::${bucket}`, `with s3:prefix "${prefix}"`);
      });
    for (const object of page.Contents ?? []) {
      if (object.Key && YAML_KEY.test(object.Key)) keys.push({ key: object.Key, etag: object.ETag ?? '' });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (keys.length === 0) {
    throw problemAt(uri, `no .yml or .yaml object directly under s3://${bucket}/${prefix}`);
  }
  return keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

async function read(client: S3Client, bucket: string, key: string): Promise<string> {
  const uri = `s3://${bucket}/${key}`;
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await response.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw s3Problem(uri, error, 's3:GetObject', `arn:aws:s3:::${bucket}/${key}`);
  }
}

const CREDENTIAL_FAULTS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
]);

/** What went wrong reading the config from S3, said with what to change (an IAM action, a bucket, a key). */
export function s3Problem(uri: string, error: unknown, action: string, resource: string, condition = ''): ConfigError {
  const e = (error ?? {}) as AwsErrorShape;
  const name = e.name ?? '';
  const status = awsStatus(error);
  const reason = errorMessage(error);
  if (name === 'NoSuchBucket')
    return problemAt(uri, `no such bucket (${reason}); check the bucket name and AWS_REGION`);
  if (name === 'NoSuchKey' || (status === 404 && action === 's3:GetObject')) {
    return problemAt(uri, 'no such object; check the key (a folder ends with "/")');
  }
  if (CREDENTIAL_FAULTS.has(name)) {
    return problemAt(
      uri,
      `no usable AWS credentials (${name}: ${reason}); give the task a role or set AWS credentials`,
    );
  }
  const host = (error as { hostname?: unknown } | undefined)?.hostname;
  if (typeof host === 'string' && host.startsWith(`${parseS3ConfigUri(uri).bucket}.`) && /ENOTFOUND/.test(reason)) {
    return problemAt(
      uri,
      `the bucket's virtual-hosted name ${host} does not resolve; for an S3-compatible endpoint set SLUICE_CONFIG_S3_FORCE_PATH_STYLE=true`,
    );
  }
  if (status === 403) {
    const on = `${resource}${condition ? ` ${condition}` : ''}`;
    return problemAt(uri, `access denied (${reason}); allow ${action} on ${on} to the task role`);
  }
  return problemAt(
    uri,
    `could not read the config from S3 (${name || 'error'}: ${reason}); check AWS_REGION and AWS_ENDPOINT_URL`,
  );
}

function problemAt(file: string, message: string): ConfigError {
  return new ConfigError([{ file, line: 0, column: 0, path: '', message }]);
}
