import { OutputError, SluiceError } from '../core/errors.js';
import type { AuthConfig } from '../outputs/opensearch/index.js';
import {
  classifyRequestError,
  type ErrorScope,
  forbiddenHint,
  startError,
  unauthenticatedHint,
} from '../outputs/opensearch/index.js';

/**
 * A failed request to OpenSearch during setup: credentials, TLS and reachability get the
 * output's own words (they are the same cluster and settings); anything else is ERR_SETUP
 * naming the step and what to check.
 */
export function openSearchSetupError(scope: ErrorScope, what: string, error: unknown, hint: string): SluiceError {
  if (error instanceof SluiceError) return error;
  const failure = classifyRequestError(error);
  if (failure.status === 401 || failure.status === 403 || failure.kind !== 'http') return startError(scope, failure);
  return new OutputError(
    'ERR_SETUP',
    `OpenSearch at ${scope.hosts} refused to ${what}: ${failure.message}`,
    { pipeline: scope.pipeline, hosts: scope.hosts, status: failure.status },
    hint,
    error,
  );
}

/** The `message` of a Dashboards error body (`{statusCode, error, message}`), else the status. */
function dashboardsMessage(error: unknown, fallback: string): string {
  const body = (error as { meta?: { body?: unknown } }).meta?.body;
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return fallback;
}

/** A failed request to OpenSearch Dashboards, saying which setting to fix. */
export function dashboardsError(
  url: string,
  auth: AuthConfig | undefined,
  pipelines: string[],
  error: unknown,
): SluiceError {
  if (error instanceof SluiceError) return error;
  const failure = classifyRequestError(error);
  const context = { pipeline: pipelines.join(', '), dashboards: url, status: failure.status };
  const detail = dashboardsMessage(error, failure.message);
  if (failure.status === 401) {
    return new OutputError(
      'ERR_OUTPUT_UNAUTHENTICATED',
      `OpenSearch Dashboards at ${url} did not accept the credentials (HTTP 401)`,
      context,
      unauthenticatedHint(auth),
    );
  }
  if (failure.status === 403) {
    return new OutputError(
      'ERR_OUTPUT_FORBIDDEN',
      `OpenSearch Dashboards at ${url} denied access (HTTP 403): ${detail}`,
      context,
      forbiddenHint(auth).replace(/\.$/, '') +
        ', and give it write access to saved objects in the tenant (kibana_user or a role with the tenant read_write).',
    );
  }
  if (failure.kind === 'tls') {
    return new OutputError(
      'ERR_OUTPUT_TLS',
      `TLS with OpenSearch Dashboards at ${url} failed: ${failure.message}`,
      context,
      'Set the output tls.ca_file to the CA that signed the Dashboards certificate, and use the host name it names.',
    );
  }
  if (failure.kind === 'network' || failure.kind === 'timeout') {
    return new OutputError(
      'ERR_OUTPUT_UNREACHABLE',
      `cannot reach OpenSearch Dashboards at ${url}: ${failure.message}`,
      context,
      'Check dashboards.url (scheme, host, port, and /_dashboards on Amazon OpenSearch Service) and that Dashboards runs.',
    );
  }
  return new OutputError(
    'ERR_SETUP',
    `OpenSearch Dashboards at ${url} refused the saved objects request: ${detail}`,
    context,
    failure.status === 404
      ? 'dashboards.url must be the Dashboards base URL (on Amazon OpenSearch Service it ends in /_dashboards), not the OpenSearch endpoint.'
      : 'Check dashboards.url and dashboards.tenant; the saved objects API answered with the error above.',
    error,
  );
}
