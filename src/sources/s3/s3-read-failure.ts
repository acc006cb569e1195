import { type ErrorContext, errorMessage, S3ReadError } from '../../core/errors.js';

/** An S3ReadError that says whether trying again can help; the pipeline reads `retryable`. */
export class S3ObjectReadError extends S3ReadError {
  readonly retryable: boolean;
  readonly status?: number;

  constructor(message: string, context: ErrorContext, retryable: boolean, status?: number, cause?: unknown) {
    super(message, { ...context, retryable, ...(status === undefined ? {} : { status }) }, cause);
    this.retryable = retryable;
    this.status = status;
  }
}

const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed']);

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

function advice(status: number | undefined): string {
  if (status === 403) return 'access denied: the task role needs s3:GetObject and s3:ListBucket';
  if (status === 404) return 'not found: the bucket or object no longer exists';
  if (status === 412) return 'the object was rewritten after it was listed; the next poll lists the new version';
  if (status === 301 || status === 400) return 'check the bucket region and endpoint';
  return 'transient; retried';
}

export function toS3ReadError(error: unknown, context: ErrorContext): S3ObjectReadError {
  if (error instanceof S3ObjectReadError) return error;
  const status = statusOf(error);
  const where = context.key
    ? `s3://${context.bucket}/${context.key}`
    : `s3://${context.bucket}/${context.prefix ?? ''}`;
  const what = (context.operation as string | undefined) ?? 'read';
  return new S3ObjectReadError(
    `${what} ${where} failed${status ? ` (HTTP ${status})` : ''}: ${errorMessage(error)} — ${advice(status)}`,
    context,
    isRetryableS3Failure(error),
    status,
    error,
  );
}
