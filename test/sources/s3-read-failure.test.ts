import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../src/core/errors.js';
import { toS3ReadError } from '../../src/sources/s3/s3-read-failure.js';

/** The shape of an AWS SDK v3 service error, as the client raises it. */
function sdkError(name: string, status?: number): Error {
  return Object.assign(new Error(name), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
  });
}

const onObject = { pipeline: 'p', bucket: 'logs', key: 'a.log.gz', operation: 'GetObject' };
const onListing = { pipeline: 'p', bucket: 'logs', prefix: 'AWSLogs/', operation: 'ListObjectsV2' };

describe('toS3ReadError', () => {
  it.each([
    { name: 'NoSuchKey', status: 404, context: onObject, retryable: false, gone: 'deleted' },
    { name: 'PreconditionFailed', status: 412, context: onObject, retryable: false, gone: 'rewritten' },
    { name: 'AccessDenied', status: 403, context: onObject, retryable: false, gone: undefined },
    { name: 'InternalError', status: 500, context: onObject, retryable: true, gone: undefined },
    { name: 'SlowDown', status: 503, context: onObject, retryable: true, gone: undefined },
    { name: 'ECONNRESET', status: undefined, context: onObject, retryable: true, gone: undefined },
    { name: 'NoSuchBucket', status: 404, context: onListing, retryable: false, gone: undefined },
  ])(
    'decides retryable $retryable and gone $gone when $context.operation fails with $name',
    ({ name, status, context, retryable, gone }) => {
      const error = toS3ReadError(sdkError(name, status), context);
      expect(error).toBeInstanceOf(SourceReadError);
      expect(error).toMatchObject({ code: 'ERR_S3_READ', stage: 'receiving', retryable, gone });
      expect(error.context).toMatchObject({ bucket: 'logs', ...(status === undefined ? {} : { status }) });
    },
  );

  it('returns the same error when it is already a source-read error', () => {
    const first = toS3ReadError(sdkError('NoSuchKey', 404), onObject);
    expect(toS3ReadError(first, onObject)).toBe(first);
  });
});
