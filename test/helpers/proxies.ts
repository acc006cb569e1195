/**
 * Proxies that stand between sluice and the real OpenSearch node in integration tests:
 * one injects faults (429s, per-item rejections, dropped connections), one terminates TLS
 * and checks basic auth, one verifies AWS SigV4 signatures. All listen on 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RunningProxy {
  url: string;
  port: number;
  /** Requests seen, by outcome. */
  stats: Record<string, number>;
  /** Authorization header values received, so tests can assert they never reach a log line. */
  authorizations: string[];
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one request to the real node (plain http on 127.0.0.1) and buffers its answer. */
function forward(target: string, req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
  const url = new URL(req.url ?? '/', target);
  const headers = { ...req.headers, host: url.host, 'content-length': String(body.length) };
  delete headers.authorization; // the node has no security plugin; credentials stop at the proxy
  return new Promise((resolve, reject) => {
    const upstream = http.request(url, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function reply(
  res: http.ServerResponse,
  status: number,
  body: Buffer | string,
  contentType = 'application/json',
): void {
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(buffer.length) });
  res.end(buffer);
}

async function passThrough(target: string, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
  const up = await forward(target, req, body);
  reply(res, up.status, up.body, String(up.headers['content-type'] ?? 'application/json'));
}

function listen(
  server: http.Server | https.Server,
  stats: Record<string, number>,
  scheme: string,
): Promise<RunningProxy> {
  const authorizations: string[] = [];
  server.on('request', (req: http.IncomingMessage) => {
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        port,
        stats,
        authorizations,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

const bump = (stats: Record<string, number>, key: string) => {
  stats[key] = (stats[key] ?? 0) + 1;
};

// ---------------------------------------------------------------- fault injection

/**
 * What happens to each `_bulk` request, in order; requests past the plan pass through.
 * - `429`: answered 429 without forwarding;
 * - `drop`: the connection is destroyed before forwarding (nothing stored);
 * - `drop-after`: forwarded, then the connection is destroyed (stored, never acknowledged);
 * - `items-429`: every other item is held back and answered with a per-item 429 in a 200 response;
 * - `items-403`: nothing is forwarded; every item is answered 403 security_exception in a 200
 *   response, as the security plugin answers a user who may not write to those indices;
 * - `413`: answered 413 (request too large) without forwarding;
 * - `pass`: forwarded unchanged.
 */
export type BulkFault = '429' | '413' | 'drop' | 'drop-after' | 'items-429' | 'items-403' | 'pass';

export function startFaultProxy(target: string, plan: BulkFault[]): Promise<RunningProxy> {
  const stats: Record<string, number> = {};
  let bulkCount = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const isBulk = /\/_bulk(\?|$)/.test(req.url ?? '');
      if (!isBulk) return passThrough(target, req, res, body);
      const fault = plan[bulkCount++] ?? 'pass';
      bump(stats, fault);
      switch (fault) {
        case '429':
          return reply(
            res,
            429,
            JSON.stringify({
              error: { type: 'es_rejected_execution_exception', reason: 'rejected by the test proxy' },
              status: 429,
            }),
          );
        case '413':
          return reply(res, 413, '');
        case 'drop':
          req.socket.destroy();
          return;
        case 'drop-after':
          await forward(target, req, body);
          req.socket.destroy();
          return;
        case 'items-429':
          return rejectSomeItems(target, req, res, body, stats);
        case 'items-403':
          return denyEveryItem(res, body, stats);
        default:
          return passThrough(target, req, res, body);
      }
    })().catch(() => req.socket.destroy());
  });
  return listen(server, stats, 'http');
}

/** Holds back every other action (with its source) and answers it 429, as a busy write queue would. */
async function rejectSomeItems(
  target: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  stats: Record<string, number>,
) {
  const lines = body.toString('utf8').split('\n').filter(Boolean);
  const pairs: [string, string][] = [];
  for (let i = 0; i < lines.length; i += 2) pairs.push([lines[i]!, lines[i + 1]!]);
  const kept = pairs.filter((_, i) => i % 2 === 1);
  let forwardedItems: unknown[] = [];
  if (kept.length > 0) {
    const up = await forward(target, req, Buffer.from(`${kept.flat().join('\n')}\n`));
    forwardedItems = (JSON.parse(up.body.toString('utf8')) as { items: unknown[] }).items;
  }
  const items = pairs.map(([action], i) => {
    if (i % 2 === 1) return forwardedItems[(i - 1) / 2];
    const [op, meta] = Object.entries(JSON.parse(action) as Record<string, Record<string, unknown>>)[0]!;
    stats.itemsRejected = (stats.itemsRejected ?? 0) + 1;
    return {
      [op]: {
        ...meta,
        status: 429,
        error: { type: 'es_rejected_execution_exception', reason: 'rejected execution by the test proxy' },
      },
    };
  });
  reply(res, 200, JSON.stringify({ took: 1, errors: true, items }));
}

/** Answers every action 403 security_exception (the shape of test/fixtures/opensearch/index-security-denied.json). */
function denyEveryItem(res: http.ServerResponse, body: Buffer, stats: Record<string, number>) {
  const lines = body.toString('utf8').split('\n').filter(Boolean);
  const items: unknown[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const [op, meta] = Object.entries(JSON.parse(lines[i]!) as Record<string, Record<string, unknown>>)[0]!;
    stats.itemsDenied = (stats.itemsDenied ?? 0) + 1;
    items.push({
      [op]: {
        _index: meta._index,
        _id: meta._id,
        status: 403,
        error: {
          type: 'security_exception',
          reason:
            'no permissions for [indices:data/write/bulk[s]] and User [name=sluice, backend_roles=[], requestedTenant=null]',
        },
      },
    });
  }
  reply(res, 200, JSON.stringify({ took: 1, errors: true, items }));
}

// ---------------------------------------------------------------- TLS and basic auth

export interface TestPki {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A second CA that signed nothing here: trusting only it must fail. */
  otherCaFile: string;
  /** A client certificate signed by the CA, for mutual TLS. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** A CA, a server certificate for 127.0.0.1 and localhost, a client certificate, and an unrelated CA, made with openssl. */
export function generateTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  const p = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ca = (name: string) =>
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.pem`),
    );
  ca('sluice-test-ca');
  ca('sluice-other-ca');
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [
    ['server', 'server.ext'],
    ['client', 'client.ext'],
  ] as const) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.csr`),
    );
    ssl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('sluice-test-ca.pem'),
      '-CAkey',
      p('sluice-test-ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      p(ext),
      '-out',
      p(`${name}.pem`),
    );
  }
  return {
    dir,
    caFile: p('sluice-test-ca.pem'),
    certFile: p('server.pem'),
    keyFile: p('server.key'),
    otherCaFile: p('sluice-other-ca.pem'),
    clientCertFile: p('client.pem'),
    clientKeyFile: p('client.key'),
  };
}

export interface TlsProxyOptions {
  pki: TestPki;
  basicAuth?: { username: string; password: string };
  /** Ask for a client certificate and refuse connections without one signed by the test CA. */
  requireClientCert?: boolean;
}

/** Terminates TLS with the test CA's server certificate, checks basic auth, forwards to the plain node. */
export function startTlsProxy(target: string, options: TlsProxyOptions): Promise<RunningProxy> {
  const stats: Record<string, number> = {};
  const expected = options.basicAuth
    ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
    : undefined;
  const server = https.createServer(
    {
      key: readFileSync(options.pki.keyFile),
      cert: readFileSync(options.pki.certFile),
      ca: readFileSync(options.pki.caFile),
      requestCert: options.requireClientCert ?? false,
      rejectUnauthorized: options.requireClientCert ?? false,
    },
    (req, res) => {
      void (async () => {
        const body = await readBody(req);
        if (expected) {
          const given = Buffer.from(req.headers.authorization ?? '');
          const want = Buffer.from(expected);
          if (given.length !== want.length || !timingSafeEqual(given, want)) {
            bump(stats, 'unauthorized');
            res.setHeader('www-authenticate', 'Basic realm="sluice-test"');
            return reply(
              res,
              401,
              JSON.stringify({ error: { type: 'security_exception', reason: 'bad credentials' }, status: 401 }),
            );
          }
        }
        bump(stats, 'forwarded');
        return passThrough(target, req, res, body);
      })().catch(() => req.socket.destroy());
    },
  );
  server.on('tlsClientError', () => bump(stats, 'tlsError'));
  return listen(server, stats, 'https');
}

// ---------------------------------------------------------------- SigV4

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the smithy signer expects. */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface SigV4ProxyOptions {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  service: string;
}

/**
 * Recomputes each request's SigV4 signature with the AWS signing library from known credentials
 * and forwards only requests whose signature and payload hash match; others get a 403.
 */
export function startSigV4Proxy(target: string, options: SigV4ProxyOptions): Promise<RunningProxy> {
  const stats: Record<string, number> = {};
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    sha256: NodeSha256,
  });
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const problem = await verifySigV4(req, body, signer, options);
      if (problem) {
        bump(stats, 'rejected');
        stats[`rejected:${problem}`] = (stats[`rejected:${problem}`] ?? 0) + 1;
        return reply(res, 403, JSON.stringify({ message: `signature check failed: ${problem}` }));
      }
      bump(stats, 'verified');
      return passThrough(target, req, res, body);
    })().catch(() => req.socket.destroy());
  });
  return listen(server, stats, 'http');
}

async function verifySigV4(
  req: http.IncomingMessage,
  body: Buffer,
  signer: SignatureV4,
  options: SigV4ProxyOptions,
): Promise<string | undefined> {
  const authorization = req.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return 'no-signature';
  const [, accessKeyId, , region, service, signedHeaders, signature] = match;
  if (accessKeyId !== options.credentials.accessKeyId) return 'unknown-key';
  if (region !== options.region || service !== options.service) return 'wrong-scope';
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (req.headers['x-amz-content-sha256'] !== payloadHash) return 'payload-hash';
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const dateMatch = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!dateMatch) return 'no-date';
  const [, y, mo, d, h, mi, s] = dateMatch;
  const signingDate = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!));
  if (Math.abs(Date.now() - signingDate.getTime()) > 5 * 60_000) return 'stale-date';

  const names = signedHeaders!.split(';');
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (value === undefined) return `missing-header-${name}`;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  const signed = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: headers.host ?? '127.0.0.1',
      path: url.pathname,
      query,
      headers,
      body,
    },
    { signingDate, signableHeaders: new Set(names) },
  );
  const recomputed = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1];
  if (!recomputed) return 'signer-failed';
  return timingSafeEqual(Buffer.from(recomputed), Buffer.from(signature!)) ? undefined : 'signature-mismatch';
}
