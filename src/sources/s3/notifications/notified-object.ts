import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SourceObject } from '../../../core/event.js';
import { toS3ReadError } from '../s3-read-failure.js';
import type { NotifiedObject } from './notification-record.js';

/**
 * The head of the notified version, pinned to its ETag: the real LastModified (so index names
 * match those of a listing backfill) and size. 404: deleted since; 412: rewritten since, and the
 * new version's own notification comes. Both throw a SourceReadError saying the version is gone.
 */
export async function headNotifiedObject(
  client: S3Client,
  object: NotifiedObject,
  pipeline: string,
  signal: AbortSignal,
): Promise<SourceObject> {
  const context = { pipeline, bucket: object.bucket, key: object.key, operation: 'HeadObject' };
  try {
    const head = await client.send(
      new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: `"${object.etag}"` }),
      { abortSignal: signal },
    );
    return {
      bucket: object.bucket,
      key: object.key,
      etag: object.etag,
      size: head.ContentLength ?? object.size,
      lastModified: head.LastModified ?? new Date(0),
      ...(head.StorageClass ? { storageClass: head.StorageClass } : {}),
    };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toS3ReadError(error, context);
  }
}
