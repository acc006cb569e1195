import { type AwsErrorShape, awsStatus } from '../../core/aws-error.js';
import { type ErrorContext, errorMessage, type GoneVersion, SourceReadError } from '../../core/errors.js';
import { AssumeRoleFailure } from './assumed-role.js';

const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed']);

/** Errors that say the credentials are wrong or missing, not that an action is denied. */
const CREDENTIAL_FAULTS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  // The SDK found no credentials at all (no role, no variables).
  'CredentialsProviderError',
]);

/** 403s that are not about permissions: an archived object (restore it), a skewed clock (the SDK corrects it). */
const FORBIDDEN_NOT_DENIED = new Set(['InvalidObjectState', 'RequestTimeTooSkewed']);

/** The IAM action each S3 call sluice makes needs. */
const IAM_ACTION: Record<string, string> = {
  ListObjectsV2: 's3:ListBucket',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
};

const HINT =
  'Check the bucket, prefix, region and endpoint; the object is tried again and quarantined if it keeps failing.';

/** A failure that is the pipeline's setup, not the object: it pauses the pipeline instead of quarantining. */
type PermissionFault = { kind: 'credentials' } | { kind: 'kms'; keyArn?: string } | { kind: 'denied' };

/**
 * The one place S3 read retryability is decided: network errors, 5xx, 429 and throttling
 * are transient; 4xx (403 denied, 404 gone, 412 rewritten since listing) are not.
 */
export function isRetryableS3Failure(error: unknown): boolean {
  const e = (error ?? {}) as AwsErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (e.name && CREDENTIAL_FAULTS.has(e.name)) return false;
  if (e.name && THROTTLING.has(e.name)) return true;
  if (status === undefined) return true;
  if (status === 429 || status >= 500) return true;
  return false;
}

function nameOf(error: unknown): string {
  const e = (error ?? {}) as AwsErrorShape;
  return e.name ?? e.code ?? '';
}

/** Denied (403, or a KMS error S3 passes on) or refused credentials; undefined for anything else. */
function permissionFault(error: unknown): PermissionFault | undefined {
  const name = nameOf(error);
  if (CREDENTIAL_FAULTS.has(name)) return { kind: 'credentials' };
  if (FORBIDDEN_NOT_DENIED.has(name)) return undefined;
  const status = awsStatus(error);
  const message = errorMessage(error);
  // SSE-KMS: S3 answers 403 AccessDenied naming the key (or KMS.* errors) when the role may not decrypt.
  if (name.startsWith('KMS.') || (status === 403 && /\bkms[:.]|KMS key|customer master key/i.test(message))) {
    const keyArn = /arn:aws[\w-]*:kms:[^\s"',]+/.exec(message)?.[0];
    return { kind: 'kms', ...(keyArn ? { keyArn } : {}) };
  }
  if (status === 403) return { kind: 'denied' };
  return undefined;
}

function partitionOf(region: unknown): string {
  if (typeof region === 'string' && region.startsWith('cn-')) return 'aws-cn';
  if (typeof region === 'string' && region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The ARN IAM checks for a call: the object for GetObject and HeadObject, the bucket for ListObjectsV2. */
export function s3ResourceArn(context: ErrorContext): string {
  const partition = partitionOf(context.region);
  return context.key === undefined
    ? `arn:${partition}:s3:::${context.bucket}`
    : `arn:${partition}:s3:::${context.bucket}/${context.key}`;
}

/**
 * Whether a failed request on one object says that version is gone: 404 it was deleted, 412 (the
 * GetObject `If-Match` on the listed ETag) it was rewritten since it was listed.
 */
function goneVersion(status: number | undefined, context: ErrorContext): GoneVersion | undefined {
  if (context.key === undefined) return undefined;
  if (status === 404) return 'deleted';
  if (status === 412) return 'rewritten';
  return undefined;
}

function advice(status: number | undefined): string {
  if (status === 404) return 'not found: the bucket or object no longer exists';
  if (status === 412) return 'the object was rewritten after it was listed; the next poll lists the new version';
  if (status === 301 || status === 400) return 'check the bucket region and endpoint';
  return 'transient; retried';
}

/** The pipeline-level error for a denial or refused credentials: what to allow, on which resource. */
function permissionError(fault: PermissionFault, error: unknown, context: ErrorContext): SourceReadError {
  const status = awsStatus(error);
  const operation = (context.operation as string | undefined) ?? 'GetObject';
  const resource = s3ResourceArn(context);
  const why = `${status ? `HTTP ${status} ` : ''}${nameOf(error) || 'error'}: ${errorMessage(error)}`;
  const base = { retryable: false, cause: error };
  if (fault.kind === 'credentials') {
    return new SourceReadError(
      'ERR_S3_CREDENTIALS',
      `S3 refused the credentials for ${operation} on ${resource} (${why})`,
      {
        ...base,
        context: { ...context, resource, ...(status === undefined ? {} : { status }) },
        hint:
          'Check the credentials the worker runs with: the ECS task role (taskRoleArn), or AWS_ACCESS_KEY_ID, ' +
          'AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (an expired session token must be renewed). ' +
          'The pipeline retries by itself and resumes once they work.',
      },
    );
  }
  if (fault.kind === 'kms') {
    const key = fault.keyArn ?? `the KMS key that encrypts ${resource}`;
    return new SourceReadError(
      'ERR_S3_ACCESS_DENIED',
      `kms:Decrypt denied on ${key} while reading ${resource} (${why})`,
      {
        ...base,
        context: {
          ...context,
          action: 'kms:Decrypt',
          resource: fault.keyArn ?? resource,
          ...(status ? { status } : {}),
        },
        hint:
          `Allow kms:Decrypt on ${key} for the task role (in its IAM policy and in the key policy). ` +
          'The pipeline retries by itself and resumes once it is allowed; nothing was marked done.',
      },
    );
  }
  const action = IAM_ACTION[operation] ?? `s3:${operation}`;
  const scope = context.key === undefined && context.prefix ? ` (prefix ${JSON.stringify(context.prefix)})` : '';
  const deletedNote =
    context.key === undefined
      ? ''
      : ` If the object was deleted, S3 answers 403 instead of 404 to a role without s3:ListBucket on its prefix: allow s3:ListBucket on ${s3ResourceArn({ ...context, key: undefined })} too.`;
  return new SourceReadError('ERR_S3_ACCESS_DENIED', `${action} denied on ${resource}${scope} (${why})`, {
    ...base,
    context: { ...context, action, resource, ...(status === undefined ? {} : { status }) },
    hint:
      `Allow ${action} on ${resource} for the task role (and in the bucket policy if the bucket has one). ` +
      `The pipeline retries by itself and resumes once it is allowed; nothing was marked done.${deletedNote}`,
  });
}

/**
 * The source-read error for a failed S3 call (`context.key` set when the call was on one object).
 * A denial or refused credentials is the pipeline's fault (ERR_S3_ACCESS_DENIED, ERR_S3_CREDENTIALS):
 * it pauses the pipeline and never quarantines the object (docs/ARCHITECTURE.md, "Error codes").
 */
export function toS3ReadError(error: unknown, context: ErrorContext): SourceReadError {
  if (error instanceof SourceReadError) return error;
  if (error instanceof AssumeRoleFailure) return assumeRoleError(error, context);
  const fault = permissionFault(error);
  if (fault) return permissionError(fault, error, context);
  const status = awsStatus(error);
  const where = context.key
    ? `s3://${context.bucket}/${context.key}`
    : `s3://${context.bucket}/${context.prefix ?? ''}`;
  const what = (context.operation as string | undefined) ?? 'read';
  const gone = goneVersion(status, context);
  return new SourceReadError(
    'ERR_S3_READ',
    `${what} ${where} failed${status ? ` (HTTP ${status})` : ''}: ${errorMessage(error)} — ${advice(status)}`,
    {
      retryable: isRetryableS3Failure(error),
      ...(gone ? { gone } : {}),
      context: { ...context, ...(status === undefined ? {} : { status }) },
      hint: HINT,
      cause: error,
    },
  );
}

/**
 * No credentials for the source's `role_arn`: denied (the task role may not assume it, or the
 * role does not trust the task role, or the external id differs), the task's own credentials
 * refused, or STS unreachable. Always the pipeline's: it pauses and retries; nothing is quarantined.
 */
function assumeRoleError(failure: AssumeRoleFailure, context: ErrorContext): SourceReadError {
  const { roleArn, cause } = failure;
  const status = awsStatus(cause);
  const name = nameOf(cause);
  const operation = (context.operation as string | undefined) ?? 'GetObject';
  const why = `${status ? `HTTP ${status} ` : ''}${name || 'error'}: ${errorMessage(cause)}`;
  const base = { retryable: false, cause };
  const where = { ...context, action: 'sts:AssumeRole', resource: roleArn, ...(status ? { status } : {}) };
  const refused = CREDENTIAL_FAULTS.has(name);
  if (!refused && (status === 403 || name === 'AccessDenied')) {
    return new SourceReadError(
      'ERR_S3_ACCESS_DENIED',
      `sts:AssumeRole denied on ${roleArn} before ${operation} (${why})`,
      {
        ...base,
        context: where,
        hint:
          `Allow sts:AssumeRole on ${roleArn} in the task role's policy, and trust the task role in that role's trust policy ` +
          '(with an sts:ExternalId condition equal to external_id when one is set). ' +
          'The pipeline retries by itself and resumes once it is allowed; nothing was marked done.',
      },
    );
  }
  return new SourceReadError(
    'ERR_S3_CREDENTIALS',
    refused
      ? `STS refused the task's own credentials while assuming ${roleArn} (${why})`
      : `could not assume ${roleArn} (${why})`,
    {
      ...base,
      retryable: !refused,
      context: where,
      hint: refused
        ? 'Check the credentials the worker runs with (the ECS task role, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); the pipeline retries by itself.'
        : "STS is called in the source's region (at its endpoint when one is set): check both. The pipeline retries by itself.",
    },
  );
}
