import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { SourceReadError } from '../../../core/errors.js';
import type { SourceObject } from '../../../core/event.js';
import type { S3Clients } from '../s3-clients.js';
import { toS3ReadError } from '../s3-read-failure.js';
import type { NotifiedObject } from './notification-record.js';

export interface NotifiedHead {
  /** The source's clients: the head goes to the region the record names. */
  clients: S3Clients;
  object: NotifiedObject;
  pipeline: string;
  /** `skip_storage_classes`: a version in one of these is skipped, as listing mode skips it. */
  skipStorageClasses: ReadonlySet<string>;
  logger: Logger;
}

/**
 * The head of the notified version, pinned to its ETag: the real LastModified (so index names
 * match those of a listing backfill), size and storage class, and the record's region for the
 * reads that follow. 404: deleted since; 412: rewritten since, and the new version's own
 * notification comes; a storage class the source skips (GLACIER, DEEP_ARCHIVE: no read without
 * a restore). Each throws a SourceReadError saying the version is gone for sluice, so the
 * runner marks it done with the reason and counts it, and its message is deleted.
 */
export async function headNotifiedObject(head: NotifiedHead, signal: AbortSignal): Promise<SourceObject> {
  const { object, pipeline } = head;
  const region = object.region ? { region: object.region } : {};
  const context = { pipeline, bucket: object.bucket, key: object.key, ...region, operation: 'HeadObject' };
  let found: SourceObject;
  try {
    const answer = await head.clients
      .forRegion(object.region)
      .send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: `"${object.etag}"` }), {
        abortSignal: signal,
      });
    found = {
      bucket: object.bucket,
      key: object.key,
      etag: object.etag,
      size: answer.ContentLength ?? object.size,
      lastModified: answer.LastModified ?? new Date(0),
      ...(answer.StorageClass ? { storageClass: answer.StorageClass } : {}),
      ...region,
    };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toS3ReadError(error, context);
  }
  const storageClass = found.storageClass;
  if (storageClass !== undefined && head.skipStorageClasses.has(storageClass)) {
    head.logger.warn(
      { bucket: object.bucket, key: object.key, storageClass },
      'object skipped: its storage class needs a restore before it can be read',
    );
    throw new SourceReadError(
      'ERR_S3_READ',
      `s3://${object.bucket}/${object.key} is in storage class ${storageClass}, which skip_storage_classes skips`,
      {
        retryable: false,
        gone: 'storage_class',
        context: { ...context, storageClass },
        hint:
          'Restore it and copy it over itself into a readable storage class (the copy is a new version, notified and read), ' +
          'or take its class out of skip_storage_classes while it is restored.',
      },
    );
  }
  return found;
}
