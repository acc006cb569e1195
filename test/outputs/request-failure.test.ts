import { errors } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { classifyRequestError, isRetryableStatus } from '../../src/outputs/opensearch/request-failure.js';
import { bulkFixture } from './opensearch-fixtures.js';

/** The error the client raises for a non-2xx answer, as it builds it from the status and body. */
function responseError(statusCode: number, body: unknown): errors.ResponseError {
  return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} as never });
}

/** A connection error carrying a Node error code, as a wrapped cause would. */
function connectionErrorWithCode(message: string, code: string): errors.ConnectionError {
  const error = new errors.ConnectionError(message);
  (error as { cause?: unknown }).cause = Object.assign(new Error(message), { code });
  return error;
}

const malformed = bulkFixture('request-malformed');
const rejected = bulkFixture('request-rejected-execution');

describe('classifyRequestError', () => {
  it.each([
    {
      case: 'the node refuses a malformed bulk (captured)',
      error: responseError(malformed.status, malformed.body),
      expected: {
        retryable: false,
        status: 400,
        kind: 'http',
        message:
          'HTTP 400 illegal_argument_exception: Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [explode]',
      },
    },
    {
      case: 'indexing pressure rejects the whole request (429, documented shape)',
      error: responseError(rejected.status, rejected.body),
      expected: {
        retryable: true,
        status: 429,
        kind: 'http',
        message: expect.stringMatching(
          /^HTTP 429 rejected_execution_exception: rejected execution of coordinating operation/,
        ),
      },
    },
    {
      case: 'the request is larger than http.max_content_length (413, no body)',
      error: responseError(413, ''),
      expected: { retryable: false, status: 413, kind: 'http', message: 'HTTP 413' },
    },
    {
      case: 'a gateway in front of the cluster fails (502 with an HTML body)',
      error: responseError(502, '<html><body>Bad Gateway</body></html>'),
      expected: { retryable: true, status: 502, kind: 'http', message: 'HTTP 502' },
    },
    {
      case: 'the cluster is unavailable (503 with an error object)',
      error: responseError(503, { error: { type: 'cluster_block_exception', reason: 'no master' }, status: 503 }),
      expected: { retryable: true, status: 503, kind: 'http', message: 'HTTP 503 cluster_block_exception: no master' },
    },
    {
      case: 'the credentials are refused (401, plain text body)',
      error: responseError(401, 'Unauthorized'),
      expected: { retryable: false, status: 401, kind: 'http', message: 'HTTP 401' },
    },
    {
      case: 'a proxy answers with the error as a string',
      error: responseError(403, { error: 'access denied by policy' }),
      expected: { retryable: false, status: 403, kind: 'http', message: 'HTTP 403 access denied by policy' },
    },
    {
      case: 'the request timed out',
      error: new errors.TimeoutError('Request timed out', {} as never),
      expected: { retryable: true, kind: 'timeout', message: 'request timed out' },
    },
    {
      case: 'nothing listens on the port',
      error: new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9'),
      expected: { retryable: true, kind: 'network', message: 'connect ECONNREFUSED 127.0.0.1:9' },
    },
    {
      case: 'the connection is dropped mid-request',
      error: new errors.ConnectionError('socket hang up'),
      expected: { retryable: true, kind: 'network', message: 'socket hang up' },
    },
    {
      case: 'every node is marked dead',
      error: new errors.NoLivingConnectionsError(undefined as never, {} as never),
      expected: { retryable: true, kind: 'network', message: expect.stringContaining('usable Connection') },
    },
    {
      case: 'the server certificate is self-signed',
      error: new errors.ConnectionError('self-signed certificate'),
      expected: { retryable: false, kind: 'tls', message: 'self-signed certificate' },
    },
    {
      case: 'the CA of the server certificate is unknown',
      error: new errors.ConnectionError('unable to verify the first certificate'),
      expected: { retryable: false, kind: 'tls', message: 'unable to verify the first certificate' },
    },
    {
      case: 'the host name is not in the certificate',
      error: new errors.ConnectionError(
        "Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:example.com",
      ),
      expected: { retryable: false, kind: 'tls', message: expect.stringContaining('altnames') },
    },
    {
      case: 'a TLS code sits on the cause and the message does not say TLS',
      error: connectionErrorWithCode('handshake failed', 'CERT_HAS_EXPIRED'),
      expected: { retryable: false, kind: 'tls', message: 'handshake failed' },
    },
    {
      case: 'the request was aborted',
      error: new errors.RequestAbortedError('Request aborted'),
      expected: { retryable: false, kind: 'unexpected', message: 'Request aborted' },
    },
    {
      case: 'something else is thrown',
      error: new TypeError('body is not a string'),
      expected: { retryable: false, kind: 'unexpected', message: 'body is not a string' },
    },
  ])('decides retryability when $case', ({ error, expected }) => {
    expect(classifyRequestError(error)).toEqual(expected);
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [200, false],
    [400, false],
    [403, false],
    [409, false],
    [413, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
  ])('treats HTTP %i as retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});
