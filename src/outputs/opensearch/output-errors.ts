import { BulkRejectedError, OutputError } from '../../core/errors.js';
import type { Origin } from '../../core/event.js';
import type { OpenSearchOutputConfig } from './opensearch-config.js';
import type { RequestFailure } from './request-failure.js';

/** What the errors of one output name and depend on. `hosts` never holds credentials (redactUrl). */
export interface ErrorScope {
  pipeline: string;
  hosts: string;
  auth: OpenSearchOutputConfig['auth'];
  /** A template is installed at start: the start-up hint then mentions its permission. */
  template: boolean;
}

const OUTPUT = 'opensearch';

export function unauthenticatedHint(auth: ErrorScope['auth']): string {
  if (auth?.type === 'basic') {
    return 'Check auth.username and auth.password (and the environment variables they come from).';
  }
  if (auth?.type === 'aws_sigv4') {
    return 'Check the AWS credentials the worker runs with (ECS task role or AWS_* variables) and auth.region/auth.service.';
  }
  return 'The cluster requires authentication: add an auth section (basic or aws_sigv4).';
}

export function forbiddenHint(auth: ErrorScope['auth']): string {
  if (auth?.type === 'aws_sigv4') {
    return (
      'Allow the task role in the domain access policy (es:ESHttpGet, es:ESHttpPost, es:ESHttpPut; aoss:APIAccessAll for ' +
      'serverless) and map its role ARN to an OpenSearch role with cluster:monitor/main, indices:data/write/bulk* and ' +
      'indices:admin/create on the target indices (plus indices:admin/index_template/put with template).'
    );
  }
  return (
    'Map the configured user to a role with cluster:monitor/main, indices:data/write/bulk* and indices:admin/create ' +
    'on the target indices (plus indices:admin/index_template/put when template is set).'
  );
}

/** A failed start-up check (or a request refused for credentials), saying which setting to fix. */
export function startError(scope: ErrorScope, failure: RequestFailure): OutputError {
  const { hosts } = scope;
  const context = { pipeline: scope.pipeline, output: OUTPUT, hosts, status: failure.status };
  if (failure.status === 401) {
    return new OutputError(
      'ERR_OUTPUT_UNAUTHENTICATED',
      `OpenSearch at ${hosts} did not accept the credentials (HTTP 401)`,
      context,
      unauthenticatedHint(scope.auth),
    );
  }
  if (failure.status === 403) {
    return new OutputError(
      'ERR_OUTPUT_FORBIDDEN',
      `OpenSearch at ${hosts} denied access (HTTP 403): ${failure.message}`,
      context,
      forbiddenHint(scope.auth),
    );
  }
  if (failure.kind === 'tls') {
    return new OutputError(
      'ERR_OUTPUT_TLS',
      `TLS with OpenSearch at ${hosts} failed: ${failure.message}`,
      context,
      'Set tls.ca_file to the CA that signed the server certificate, and use the host name the certificate names.',
    );
  }
  if (failure.kind === 'network' || failure.kind === 'timeout') {
    return new OutputError(
      'ERR_OUTPUT_UNREACHABLE',
      `cannot reach OpenSearch at ${hosts}: ${failure.message}`,
      context,
      'Check hosts (scheme, host, port), DNS, security groups and that the cluster is running.',
    );
  }
  return new OutputError(
    'ERR_OUTPUT_START',
    `OpenSearch at ${hosts} refused the start-up check: ${failure.message}`,
    context,
    scope.template ? 'Check the template settings and that the user may install index templates.' : undefined,
  );
}

/** A bulk request refused as a whole, not retryably (credentials get the start-up wording). */
export function bulkRequestError(scope: ErrorScope, failure: RequestFailure, attempt: number): OutputError {
  if (failure.status === 401 || failure.status === 403) return startError(scope, failure);
  return new OutputError(
    'ERR_OUTPUT_REQUEST',
    `OpenSearch at ${scope.hosts} refused a bulk request (attempt ${attempt + 1}): ${failure.message}`,
    { pipeline: scope.pipeline, output: OUTPUT, status: failure.status },
    failure.status === 413
      ? 'Lower flush_bytes below the cluster http.max_content_length.'
      : 'Check the output settings (hosts, index) against the cluster.',
  );
}

/** OpenSearch refused one item for its user's permissions (item 401, or 403 security_exception). */
export function itemDeniedError(scope: ErrorScope, status: number, reason: string, index?: string): OutputError {
  const target = index ? `writing to index ${index}` : 'a bulk item';
  return startError(scope, { retryable: false, status, kind: 'http', message: `${target}: ${reason}` });
}

/** Retries ran out: the events were not stored and the object is read again later. */
export function unavailableError(scope: ErrorScope, attempts: number, failure: string): OutputError {
  return new OutputError(
    'ERR_OUTPUT_UNAVAILABLE',
    `OpenSearch at ${scope.hosts} still failing after ${attempts} attempts: ${failure}`,
    { pipeline: scope.pipeline, output: OUTPUT },
    'Check the cluster health and capacity; the events were not stored and will be read again.',
  );
}

/** A bulk response whose items do not match the request one for one. */
export function protocolError(pipeline: string, answered: number, sent: number): OutputError {
  return new OutputError(
    'ERR_OUTPUT_PROTOCOL',
    `OpenSearch answered ${answered} bulk items for ${sent} sent`,
    { pipeline },
    'Check that the hosts point at OpenSearch itself, not at a proxy that alters bulk responses.',
  );
}

/**
 * A document JSON cannot express (a BigInt, a cycle, nesting deeper than JSON.stringify can
 * follow): a record-level failure, so that event goes to the dead-letter (without its
 * document, which the entry could not hold either) and the rest of the batch goes on.
 */
export function encodeError(pipeline: string, origin: Origin, cause: unknown): OutputError {
  const { bucket, key, record } = origin;
  return new OutputError(
    'ERR_OUTPUT_ENCODE',
    `cannot encode the event as JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
    { pipeline, bucket, key, record },
    'The record (found by key and record number) holds nesting deeper than JSON can be written, or a filter ' +
      'produced a value JSON cannot hold (BigInt, a cycle); fix or remove that filter, or leave the record in the dead-letter.',
  );
}

/** An event whose index would be one more than max_indices, with no overflow_index to take it. */
export function indexLimitError(pipeline: string, origin: Origin, index: string, max: number): OutputError {
  const { bucket, key, record } = origin;
  return new OutputError(
    'ERR_OUTPUT_INDEX_LIMIT',
    `index ${JSON.stringify(index)} would be distinct index number ${max + 1} of this output, over max_indices (${max})`,
    { pipeline, bucket, key, record, index },
    'A field in the index pattern takes more values than expected (log content can be hostile). Remove the field ' +
      'from the index pattern, set overflow_index to keep such events searchable, or raise max_indices.',
  );
}

export function closedError(pipeline: string): OutputError {
  return new OutputError('ERR_OUTPUT_CLOSED', 'write() after close()', { pipeline });
}

/** An event OpenSearch refused, when there is no dead-letter to hand it to. */
export function rejectedError(pipeline: string, origin: Origin, reason: string): BulkRejectedError {
  const { bucket, key, record } = origin;
  return new BulkRejectedError(`OpenSearch rejected the event: ${reason}`, { pipeline, bucket, key, record });
}

export function deadLetterWriteError(pipeline: string, events: number, cause: unknown): OutputError {
  return new OutputError(
    'ERR_DEAD_LETTER_WRITE',
    `OpenSearch rejected ${events} events and the dead-letter could not store them`,
    { pipeline },
    'Check the dead-letter destination (bucket or path) and its permissions.',
    cause,
  );
}
