import { type ErrorContext, errorMessage, type GoneVersion, SourceReadError } from '../../core/errors.js';

const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed']);

const HINT = 'Check the bucket, prefix, region and that the task role may s3:GetObject and s3:ListBucket.';

interface AwsErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * The one place S3 read retryability is decided: network errors, 5xx, 429 and throttling
 * are transient; 4xx (403 denied, 404 gone, 412 rewritten since listing) are not.
 */
export function isRetryableS3Failure(error: unknown): boolean {
  const e = (error ?? {}) as AwsErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (e.name && THROTTLING.has(e.name)) return true;
  if (status === undefined) return true;
  if (status === 429 || status >= 500) return true;
  return false;
}

function statusOf(error: unknown): number | undefined {
  return ((error ?? {}) as AwsErrorShape).$metadata?.httpStatusCode;
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
  if (status === 403) return 'access denied: the task role needs s3:GetObject and s3:ListBucket';
  if (status === 404) return 'not found: the bucket or object no longer exists';
  if (status === 412) return 'the object was rewritten after it was listed; the next poll lists the new version';
  if (status === 301 || status === 400) return 'check the bucket region and endpoint';
  return 'transient; retried';
}

/** The source-read error for a failed S3 call (`context.key` set when the call was on one object). */
export function toS3ReadError(error: unknown, context: ErrorContext): SourceReadError {
  if (error instanceof SourceReadError) return error;
  const status = statusOf(error);
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
