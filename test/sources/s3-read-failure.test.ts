import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../src/core/errors.js';
import { AssumeRoleFailure } from '../../src/sources/s3/assumed-role.js';
import { toS3ReadError } from '../../src/sources/s3/s3-read-failure.js';

/** The shape of an AWS SDK v3 service error, as the client raises it. */
function sdkError(name: string, status?: number, message = name): Error {
  return Object.assign(new Error(message), {
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
    { name: 'InvalidObjectState', status: 403, context: onObject, retryable: false, gone: undefined },
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

  it.each([
    {
      case: 'GetObject is denied',
      error: sdkError('AccessDenied', 403, 'Access Denied'),
      context: onObject,
      code: 'ERR_S3_ACCESS_DENIED',
      names: ['s3:GetObject', 'arn:aws:s3:::logs/a.log.gz'],
    },
    {
      case: 'HeadObject is denied (no body, so no error name)',
      error: sdkError('403', 403, 'UnknownError'),
      context: { ...onObject, operation: 'HeadObject' },
      code: 'ERR_S3_ACCESS_DENIED',
      names: ['s3:GetObject', 'arn:aws:s3:::logs/a.log.gz', 's3:ListBucket on arn:aws:s3:::logs'],
    },
    {
      case: 'ListObjectsV2 is denied',
      error: sdkError('AccessDenied', 403, 'Access Denied'),
      context: onListing,
      code: 'ERR_S3_ACCESS_DENIED',
      names: ['s3:ListBucket', 'arn:aws:s3:::logs', 'prefix "AWSLogs/"'],
    },
    {
      case: 'the object is encrypted with a KMS key the role may not use',
      error: sdkError(
        'AccessDenied',
        403,
        'User: arn:aws:sts::123456789012:assumed-role/sluice/task is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:123456789012:key/0b2c8f1e-1111-4c4c-9d9d-123456789abc because no identity-based policy allows the kms:Decrypt action',
      ),
      context: onObject,
      code: 'ERR_S3_ACCESS_DENIED',
      names: ['kms:Decrypt', 'arn:aws:kms:eu-west-1:123456789012:key/0b2c8f1e-1111-4c4c-9d9d-123456789abc'],
    },
    {
      case: 'the KMS key is disabled',
      error: sdkError('KMS.DisabledException', 400, 'arn:aws:kms:eu-west-1:1:key/k is disabled.'),
      context: onObject,
      code: 'ERR_S3_ACCESS_DENIED',
      names: ['kms:Decrypt', 'arn:aws:kms:eu-west-1:1:key/k'],
    },
    {
      case: 'the region is in China (the ARN partition follows it)',
      error: sdkError('AccessDenied', 403),
      context: { ...onObject, region: 'cn-north-1' },
      code: 'ERR_S3_ACCESS_DENIED',
      names: ['arn:aws-cn:s3:::logs/a.log.gz'],
    },
    ...['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'CredentialsProviderError'].map((name) => ({
      case: `the credentials are refused (${name})`,
      error: sdkError(name, name === 'CredentialsProviderError' ? undefined : name === 'ExpiredToken' ? 400 : 403),
      context: onObject,
      code: 'ERR_S3_CREDENTIALS',
      names: ['AWS_ACCESS_KEY_ID', 'task role', name],
    })),
  ])('fails at the pipeline level naming what to allow when $case', ({ error, context, code, names }) => {
    const failure = toS3ReadError(error, context);
    expect(failure).toMatchObject({ code, level: 'pipeline', stage: 'receiving', retryable: false, gone: undefined });
    const said = `${failure.message} ${failure.hint}`;
    for (const name of names) expect(said).toContain(name);
  });

  const role = 'arn:aws:iam::210987654321:role/log-reader';
  it.each([
    {
      case: 'STS denies assuming the role',
      cause: sdkError('AccessDenied', 403, 'not authorized to perform: sts:AssumeRole'),
      code: 'ERR_S3_ACCESS_DENIED',
      retryable: false,
      names: ['sts:AssumeRole denied on arn:aws:iam::210987654321:role/log-reader', 'trust policy', 'external_id'],
    },
    {
      case: "STS refuses the task's own credentials",
      cause: sdkError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.'),
      code: 'ERR_S3_CREDENTIALS',
      retryable: false,
      names: ["STS refused the task's own credentials while assuming", 'AWS_ACCESS_KEY_ID'],
    },
    {
      case: "STS refuses the task's own expired token",
      cause: sdkError('ExpiredToken', 400, 'The security token included in the request is expired'),
      code: 'ERR_S3_CREDENTIALS',
      retryable: false,
      names: ["STS refused the task's own credentials while assuming", 'task role'],
    },
    {
      case: 'STS cannot be reached',
      cause: sdkError('ECONNREFUSED', undefined, 'connect ECONNREFUSED 127.0.0.1:1'),
      code: 'ERR_S3_CREDENTIALS',
      retryable: true,
      names: ['could not assume arn:aws:iam::210987654321:role/log-reader', "source's region"],
    },
  ])('fails at the pipeline level naming the role when $case', ({ cause, code, retryable, names }) => {
    const failure = toS3ReadError(new AssumeRoleFailure(role, cause), onObject);
    expect(failure).toMatchObject({ code, level: 'pipeline', retryable, gone: undefined });
    expect(failure.context).toMatchObject({
      bucket: 'logs',
      key: 'a.log.gz',
      action: 'sts:AssumeRole',
      resource: role,
    });
    const said = `${failure.message} ${failure.hint}`;
    for (const name of names) expect(said).toContain(name);
  });

  it('returns the same error when it is already a source-read error', () => {
    const first = toS3ReadError(sdkError('NoSuchKey', 404), onObject);
    expect(toS3ReadError(first, onObject)).toBe(first);
  });
});
