import type { Client } from '@opensearch-project/opensearch';
import { createOpenSearchClient } from '../outputs/opensearch/index.js';
import type { SavedObject } from './dashboards/saved-object.js';
import type { DashboardsTarget } from './setup-plan.js';

/**
 * Requests to the OpenSearch Dashboards saved objects API. The OpenSearch client carries
 * them: it already does the output's TLS, basic auth and SigV4 (Amazon OpenSearch Service
 * signs Dashboards requests with the domain's `es` service), and keeps a path prefix such as
 * `/_dashboards`. Every request sends `osd-xsrf`, which Dashboards requires of API writes,
 * and `securitytenant` when a tenant is named (the security plugin's tenant header).
 */
export function dashboardsClient(target: DashboardsTarget): Client {
  return createOpenSearchClient(
    { ...target.output.config, hosts: [target.url], auth: target.auth },
    target.output.baseDir,
  );
}

export function dashboardsHeaders(target: DashboardsTarget): Record<string, string> {
  return { 'osd-xsrf': 'true', ...(target.tenant ? { securitytenant: target.tenant } : {}) };
}

/** The saved objects as Dashboards holds them, for those the bundle has (404s come back as entries with an error). */
export async function bulkGet(client: Client, target: DashboardsTarget, objects: SavedObject[]): Promise<unknown[]> {
  const response = await client.transport.request(
    {
      method: 'POST',
      path: '/api/saved_objects/_bulk_get',
      body: JSON.stringify(objects.map(({ type, id }) => ({ type, id }))),
    },
    { headers: { ...dashboardsHeaders(target), 'content-type': 'application/json' } },
  );
  const found = (response.body as { saved_objects?: unknown[] }).saved_objects;
  return Array.isArray(found) ? found : [];
}

/**
 * The multipart/form-data body the import API takes (field `file`, a name ending in
 * .ndjson), encoded by the platform's FormData rather than by hand.
 */
export async function multipartNdjson(
  ndjson: string,
  filename: string,
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), filename);
  const request = new Request('http://multipart.invalid/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

/** `POST /api/saved_objects/_import?overwrite=true`: replaces objects with the same ids. */
export async function importNdjson(client: Client, target: DashboardsTarget, ndjson: string): Promise<unknown> {
  const { body, contentType } = await multipartNdjson(
    ndjson,
    `sluice-${target.kind}${target.schema === 'ecs' ? '-ecs' : ''}.ndjson`,
  );
  const response = await client.transport.request(
    { method: 'POST', path: '/api/saved_objects/_import', querystring: { overwrite: 'true' }, body },
    { headers: { ...dashboardsHeaders(target), 'content-type': contentType } },
  );
  return response.body;
}
