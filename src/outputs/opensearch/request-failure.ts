import { errors } from '@opensearch-project/opensearch';

/** What went wrong with one HTTP request to OpenSearch, in words safe to log (no headers, no credentials). */
export interface RequestFailure {
  retryable: boolean;
  status?: number;
  kind: 'network' | 'timeout' | 'http' | 'tls' | 'unexpected';
  message: string;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether an HTTP status of a whole request or of one bulk item is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Decides retryability of a failed request in one place (docs/ARCHITECTURE.md, "Error codes"). */
export function classifyRequestError(error: unknown): RequestFailure {
  if (error instanceof errors.ResponseError) {
    const status = error.meta.statusCode ?? 0;
    const body = error.meta.body as { error?: { type?: string; reason?: string } | string } | string | undefined;
    let detail = '';
    if (body && typeof body === 'object' && body.error) {
      detail =
        typeof body.error === 'string' ? body.error : [body.error.type, body.error.reason].filter(Boolean).join(': ');
    }
    return {
      retryable: isRetryableStatus(status),
      status,
      kind: 'http',
      message: `HTTP ${status}${detail ? ` ${detail}` : ''}`,
    };
  }
  if (error instanceof errors.TimeoutError) {
    return { retryable: true, kind: 'timeout', message: 'request timed out' };
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.NoLivingConnectionsError) {
    const message = error instanceof Error ? error.message : String(error);
    const code = causeCode(error);
    const tls =
      (code !== undefined && TLS_CODES.has(code)) || /certificate|self[- ]signed|altnames|ssl|tls/i.test(message);
    // A TLS failure does not heal by retrying: the CA or the host name is wrong.
    return { retryable: !tls, kind: tls ? 'tls' : 'network', message };
  }
  return { retryable: false, kind: 'unexpected', message: error instanceof Error ? error.message : String(error) };
}
