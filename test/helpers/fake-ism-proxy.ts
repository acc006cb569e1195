/**
 * A proxy on 127.0.0.1 in front of the real OpenSearch node that answers the Index State
 * Management API itself (the local node runs without the ISM plugin), in the forms the ISM
 * docs give: GET/PUT `_plugins/_ism/policies/<id>` with `if_seq_no`/`if_primary_term`, 404
 * "Policy not found", 409 version conflicts, the retry defaults and timestamps ISM adds to a
 * stored policy, `add` and `change_policy` over the real node's indices. Everything else
 * (templates, bulk, _cat) goes to the real node.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IsmRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

interface Stored {
  seqNo: number;
  primaryTerm: number;
  version: number;
  policy: Record<string, unknown>;
}

export interface FakeIsmProxy {
  url: string;
  requests: IsmRequest[];
  policies: Map<string, Stored>;
  /** Index name to the policy id managing it. */
  managed: Map<string, string>;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json; charset=UTF-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function error(type: string, reason: string, status: number): unknown {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

function request(target: string, method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer) {
  const url = new URL(path, target);
  return new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
    const upstream = http.request(
      url,
      { method, headers: { ...headers, host: url.host, 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 502,
            type: String(res.headers['content-type'] ?? 'application/json'),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** The policy as ISM stores and returns it: its id, a schema version, timestamps, and retry defaults on every action. */
function asStored(id: string, policy: Record<string, unknown>): Record<string, unknown> {
  const now = Date.now();
  const states = (policy.states as Array<{ actions: Record<string, unknown>[] }>).map((state) => ({
    ...state,
    actions: state.actions.map((action) => ({ retry: { count: 3, backoff: 'exponential', delay: '1m' }, ...action })),
  }));
  const templates = (policy.ism_template as Record<string, unknown>[] | undefined)?.map((t) => ({
    ...t,
    last_updated_time: now,
  }));
  return {
    policy_id: id,
    ...policy,
    last_updated_time: now,
    schema_version: 21,
    error_notification: null,
    states,
    ism_template: templates ?? null,
  };
}

async function indicesOf(target: string, patterns: string): Promise<{ status: number; names: string[]; body: Buffer }> {
  const answer = await request(target, 'GET', `/_cat/indices/${patterns}?format=json&h=index`, {}, Buffer.alloc(0));
  if (answer.status !== 200) return { status: answer.status, names: [], body: answer.body };
  return {
    status: 200,
    names: (JSON.parse(answer.body.toString('utf8')) as Array<{ index: string }>).map((i) => i.index),
    body: answer.body,
  };
}

async function handleIsm(fake: FakeIsmProxy, target: string, req: IsmRequest, res: http.ServerResponse): Promise<void> {
  const [, , , kind, rest] = req.path.split('/'); // ['', '_plugins', '_ism', kind, rest]
  const id = decodeURIComponent(rest ?? '');
  const stored = fake.policies.get(id);
  if (kind === 'policies' && req.method === 'GET') {
    if (!stored) return send(res, 404, error('status_exception', 'Policy not found', 404));
    return send(res, 200, {
      _id: id,
      _version: stored.version,
      _seq_no: stored.seqNo,
      _primary_term: stored.primaryTerm,
      policy: stored.policy,
    });
  }
  if (kind === 'policies' && req.method === 'PUT') {
    const seq = req.query.get('if_seq_no');
    if (
      stored &&
      (seq === null || Number(seq) !== stored.seqNo || Number(req.query.get('if_primary_term')) !== stored.primaryTerm)
    ) {
      return send(
        res,
        409,
        error(
          'version_conflict_engine_exception',
          `[${id}]: version conflict, document already exists (current version [${stored.version}])`,
          409,
        ),
      );
    }
    const policy = asStored(id, (req.body as { policy: Record<string, unknown> }).policy);
    const next: Stored = {
      seqNo: (stored?.seqNo ?? 6) + 1,
      primaryTerm: 1,
      version: (stored?.version ?? 0) + 1,
      policy,
    };
    fake.policies.set(id, next);
    return send(res, stored ? 200 : 201, {
      _id: id,
      _version: next.version,
      _primary_term: 1,
      _seq_no: next.seqNo,
      policy: { policy },
    });
  }
  if ((kind === 'add' || kind === 'change_policy') && req.method === 'POST') {
    const { status, names, body } = await indicesOf(target, rest ?? '');
    if (status !== 200) return send(res, status, body.toString('utf8'));
    const policyId = (req.body as { policy_id: string }).policy_id;
    if (!fake.policies.has(policyId)) return send(res, 404, error('status_exception', 'Could not find policy', 404));
    const failed: unknown[] = [];
    let updated = 0;
    for (const name of names) {
      const current = fake.managed.get(name);
      if (kind === 'add' && current !== undefined) {
        failed.push({
          index_name: name,
          index_uuid: `uuid-${name}`,
          reason: 'This index already has a policy, use the update policy API to update index policies',
        });
      } else if (kind === 'add' || current !== undefined) {
        fake.managed.set(name, policyId);
        updated += 1;
      }
    }
    return send(res, 200, { updated_indices: updated, failures: failed.length > 0, failed_indices: failed });
  }
  send(
    res,
    400,
    error('illegal_argument_exception', `no handler found for uri [${req.path}] and method [${req.method}]`, 400),
  );
}

export function startFakeIsmProxy(target: string): Promise<FakeIsmProxy> {
  const fake: FakeIsmProxy = {
    url: '',
    requests: [],
    policies: new Map(),
    managed: new Map(),
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const work = url.pathname.startsWith('/_plugins/_ism/')
        ? (() => {
            const recorded: IsmRequest = {
              method: req.method ?? 'GET',
              path: url.pathname,
              query: url.searchParams,
              body: body.length ? JSON.parse(body.toString('utf8')) : undefined,
            };
            fake.requests.push(recorded);
            return handleIsm(fake, target, recorded, res);
          })()
        : request(target, req.method ?? 'GET', req.url ?? '/', req.headers, body).then((up) =>
            send(res, up.status, up.body.toString('utf8'), up.type),
          );
      work.catch((e: Error) => send(res, 502, { error: e.message }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      fake.close = () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        });
      resolve(fake);
    });
  });
}
