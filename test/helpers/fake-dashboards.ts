/**
 * A local HTTP server on 127.0.0.1 that answers like the OpenSearch Dashboards saved objects
 * API (`_bulk_get`, `_import`), with the request and response forms of the Dashboards source
 * and docs: the osd-xsrf header check, multipart/form-data with a `file` field whose name ends
 * in .ndjson, overwrite, missing_references and conflict errors, 401 bodies of the security
 * plugin, and objects kept per `securitytenant`. No real Dashboards runs on this machine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** For an import: the ndjson text of the `file` field and its file name. */
  file?: { name: string; text: string };
}

export interface FakeDashboardsOptions {
  /** Required basic credentials (`user:password`); without, any request is accepted. */
  credentials?: string;
  /** Answer every import with these errors and success false. */
  importErrors?: unknown[];
}

export interface FakeDashboards {
  url: string;
  requests: RecordedRequest[];
  /** Stored objects by tenant ('' without the header), keyed `type:id`. */
  stored: Map<string, Map<string, Record<string, unknown>>>;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function badRequest(res: http.ServerResponse, message: string): void {
  send(res, 400, { statusCode: 400, error: 'Bad Request', message });
}

async function multipartFile(req: RecordedRequest): Promise<{ name: string; text: string } | undefined> {
  const parsed = await new Request('http://fake/', {
    method: 'POST',
    headers: { 'content-type': String(req.headers['content-type'] ?? '') },
    body: req.body,
  }).formData();
  const file = parsed.get('file');
  return file instanceof File ? { name: file.name, text: await file.text() } : undefined;
}

type Objects = Map<string, Record<string, unknown>>;

function bulkGet(objects: Objects, body: Buffer): unknown {
  const wanted = JSON.parse(body.toString('utf8')) as Array<{ type: string; id: string }>;
  return {
    saved_objects: wanted.map(({ type, id }) => {
      const found = objects.get(`${type}:${id}`);
      if (found) return found;
      return {
        id,
        type,
        error: { statusCode: 404, error: 'Not Found', message: `Saved object [${type}/${id}] not found` },
      };
    }),
  };
}

function importObjects(objects: Objects, text: string, overwrite: boolean): Record<string, unknown> {
  const incoming = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(
      (line) =>
        JSON.parse(line) as {
          type: string;
          id: string;
          attributes: { title?: string };
          references?: Array<{ type: string; id: string }>;
        },
    );
  const inFile = new Set(incoming.map((o) => `${o.type}:${o.id}`));
  const errors: unknown[] = [];
  const successResults: unknown[] = [];
  for (const object of incoming) {
    const meta = { title: object.attributes.title };
    const missing = (object.references ?? []).filter(
      (ref) => !inFile.has(`${ref.type}:${ref.id}`) && !objects.has(`${ref.type}:${ref.id}`),
    );
    const key = `${object.type}:${object.id}`;
    if (missing.length > 0) {
      errors.push({
        id: object.id,
        type: object.type,
        title: meta.title,
        meta,
        error: { type: 'missing_references', references: missing },
      });
    } else if (objects.has(key) && !overwrite) {
      errors.push({ id: object.id, type: object.type, title: meta.title, meta, error: { type: 'conflict' } });
    } else {
      successResults.push({ type: object.type, id: object.id, meta, ...(objects.has(key) ? { overwrite: true } : {}) });
    }
  }
  // Like Dashboards, nothing is written while any error needs resolving.
  if (errors.length === 0) {
    for (const object of incoming) {
      objects.set(`${object.type}:${object.id}`, {
        ...object,
        updated_at: new Date().toISOString(),
        version: 'WzEsMV0=',
        namespaces: ['default'],
      });
    }
  }
  return {
    success: errors.length === 0,
    successCount: successResults.length,
    successResults,
    ...(errors.length ? { errors } : {}),
  };
}

async function handle(
  fake: FakeDashboards,
  options: FakeDashboardsOptions,
  req: RecordedRequest,
  res: http.ServerResponse,
) {
  if (options.credentials) {
    const expected = `Basic ${Buffer.from(options.credentials).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      send(res, 401, { statusCode: 401, error: 'Unauthorized', message: 'Authentication required' });
      return;
    }
  }
  if (req.method === 'POST' && req.headers['osd-xsrf'] === undefined)
    return badRequest(res, 'Request must contain a osd-xsrf header.');
  const tenant = String(req.headers.securitytenant ?? '');
  if (!fake.stored.has(tenant)) fake.stored.set(tenant, new Map());
  const objects = fake.stored.get(tenant)!;
  if (req.method === 'POST' && req.path === '/api/saved_objects/_bulk_get')
    return send(res, 200, bulkGet(objects, req.body));
  if (req.method === 'POST' && req.path === '/api/saved_objects/_import') {
    if (!String(req.headers['content-type']).startsWith('multipart/form-data')) {
      return send(res, 415, { statusCode: 415, error: 'Unsupported Media Type', message: 'Unsupported Media Type' });
    }
    req.file = await multipartFile(req);
    if (!req.file) return badRequest(res, '[request body.file]: expected value of type [Stream] but got [undefined]');
    if (!req.file.name.endsWith('.ndjson'))
      return badRequest(res, `Invalid file extension ${req.file.name.slice(req.file.name.lastIndexOf('.'))}`);
    if (options.importErrors) return send(res, 200, { success: false, successCount: 0, errors: options.importErrors });
    return send(res, 200, importObjects(objects, req.file.text, req.query.get('overwrite') === 'true'));
  }
  send(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
}

export function startFakeDashboards(options: FakeDashboardsOptions = {}): Promise<FakeDashboards> {
  const fake: FakeDashboards = { url: '', requests: [], stored: new Map(), close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/_dashboards/, ''),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      fake.requests.push(recorded);
      handle(fake, options, recorded, res).catch((error: Error) =>
        send(res, 500, { statusCode: 500, error: 'Internal Server Error', message: error.message }),
      );
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_dashboards`;
      fake.close = () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        });
      resolve(fake);
    });
  });
}
