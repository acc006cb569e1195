/**
 * What sluice reads of an error the AWS SDK throws: S3 names it in `name` (and `Code` for some
 * XML errors), other callers in `code`; the HTTP status is in `$metadata`.
 */
export interface AwsErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** The HTTP status of an AWS SDK error, undefined when there was no response (a network error). */
export function awsStatus(error: unknown): number | undefined {
  return ((error ?? {}) as AwsErrorShape).$metadata?.httpStatusCode;
}
