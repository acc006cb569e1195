import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type AwsErrorShape, awsStatus } from '../core/aws-error.js';
import { CheckpointError, errorMessage } from '../core/errors.js';
import { type CheckpointState, decodeState, encodeState } from './state.js';
import { type CheckpointStore, checkpointDenied, saveFailure, type VersionedState } from './store.js';

/** What the store does with its object: reads it when the lease is taken, writes it on every save. */
const S3_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;

export interface S3CheckpointStoreOptions {
  client: S3Client;
  bucket: string;
  /** Folder inside the bucket; the checkpoint is `<prefix>/<name>.json`. */
  prefix: string;
  name: string;
  pipeline: string;
}

/**
 * One S3 object per checkpoint. The version is the object's ETag; a create is fenced with
 * `If-None-Match: *` and an update with `If-Match: <etag>`, which S3 evaluates atomically.
 */
export class S3CheckpointStore implements CheckpointStore {
  readonly key: string;

  constructor(private readonly options: S3CheckpointStoreOptions) {
    const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.key = prefix ? `${prefix}/${options.name}.json` : `${options.name}.json`;
  }

  describe(): string {
    return `s3://${this.options.bucket}/${this.key}`;
  }

  async load(): Promise<VersionedState | null> {
    const { client, bucket } = this.options;
    let text: string;
    let etag: string | undefined;
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: this.key }));
      text = (await got.Body?.transformToString('utf8')) ?? '';
      etag = got.ETag;
    } catch (error) {
      if (awsStatus(error) === 404 && !isNoSuchBucket(error)) return null;
      throw (
        this.denied(error, 's3:GetObject') ??
        new CheckpointError(`cannot read checkpoint ${this.describe()}: ${errorMessage(error)}`, this.context(), error)
      );
    }
    if (!etag) throw new CheckpointError(`checkpoint ${this.describe()} has no ETag`, this.context());
    try {
      return { state: decodeState(text), version: etag };
    } catch (error) {
      throw new CheckpointError(
        `checkpoint ${this.describe()} is unreadable (${errorMessage(error)}); delete it to start over or restore a good copy`,
        this.context(),
        error,
      );
    }
  }

  async save(state: CheckpointState, expectedVersion: string | null): Promise<string> {
    const body = encodeState(state);
    const { client, bucket } = this.options;
    try {
      const put = await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: this.key,
          Body: body,
          ContentType: 'application/json',
          ...(expectedVersion === null ? { IfNoneMatch: '*' } : { IfMatch: expectedVersion }),
        }),
      );
      if (!put.ETag) throw new Error('PutObject returned no ETag');
      return put.ETag;
    } catch (error) {
      const status = awsStatus(error);
      // 412: the condition failed; 409: a concurrent conditional write won; 404 on If-Match: it was deleted.
      const conflict =
        status === 412 || status === 409 || (status === 404 && expectedVersion !== null && !isNoSuchBucket(error));
      throw (
        this.denied(error, 's3:PutObject') ??
        saveFailure(this.describe(), expectedVersion, this.context(), error, conflict)
      );
    }
  }

  private denied(error: unknown, action: string): CheckpointError | undefined {
    const { bucket } = this.options;
    const resource = `arn:aws:s3:::${bucket}/${this.key}`;
    // Before the first save the object does not exist, and S3 answers 403, not 404, without s3:ListBucket.
    const note =
      action === 's3:GetObject'
        ? `If the checkpoint does not exist yet, S3 answers 403 instead of 404 to a role without s3:ListBucket: allow s3:ListBucket on arn:aws:s3:::${bucket} too.`
        : undefined;
    return checkpointDenied(error, { action, actions: S3_ACTIONS, resource, context: this.context(), note });
  }

  private context() {
    return { pipeline: this.options.pipeline, bucket: this.options.bucket, key: this.key };
  }
}

function isNoSuchBucket(error: unknown): boolean {
  const shape = error as AwsErrorShape;
  return shape?.name === 'NoSuchBucket' || shape?.Code === 'NoSuchBucket';
}
