import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRoutedPipeline, type Route } from '../../src/cli/parse-routes.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Doc, LogEvent } from '../../src/core/event.js';

// A listener where the OpenSearch host points: building the pipeline must never connect to it.
let connections = 0;
let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

async function routedPipeline(schema: 'aws' | 'ecs' = 'aws') {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-routes-'));
  const file = join(dir, 'pipeline.yml');
  writeFileSync(
    file,
    `pipelines:
  - id: routes
    source: { type: file, path: logs }
    parser: { type: alb }
    schema: ${schema}
    outputs:
      - { type: opensearch, hosts: ["http://127.0.0.1:${port}"], index: "alb-%{elb_status_code}-%{+YYYY.MM.dd}" }
      - { type: file, path: errors.ndjson, when: { in: { field: elb_status_code, values: [500, 502] } } }
      - { type: opensearch, hosts: ["http://127.0.0.1:${port}"], index: "Slow-%{+YYYY.MM}", when: { exists: request_processing_time } }
      - { type: stdout, when: { equals: { field: elb_status_code, value: 404 } } }
    checkpoint: { type: file, directory: state }
`,
  );
  const loaded = await loadConfig(file, {});
  return buildRoutedPipeline(loaded.pipelines[0]!);
}

const event = (doc: Doc): LogEvent => ({
  doc,
  origin: { pipeline: 'routes', bucket: '', key: 'k', etag: '', record: 1, sub: 0, lastModified: Date.UTC(2023, 0, 2) },
});

describe('buildRoutedPipeline', () => {
  it.each<[string, Doc, Route[]]>([
    [
      'only the outputs whose when holds, with each opensearch index from its pattern',
      { elb_status_code: 502, '@timestamp': '2024-05-01T23:59:59.000Z', request_processing_time: 0.1 },
      [
        { output: 0, type: 'opensearch', index: 'alb-502-2024.05.01' },
        { output: 1, type: 'file' },
        { output: 2, type: 'opensearch', index: 'slow-2024.05' },
      ],
    ],
    [
      'the output without when only, its date from the object when the event has no @timestamp',
      { elb_status_code: 200 },
      [{ output: 0, type: 'opensearch', index: 'alb-200-2023.01.02' }],
    ],
    [
      'a stdout output by its position when its when holds',
      { elb_status_code: 404, '@timestamp': '2024-05-01T00:00:00.000Z' },
      [
        { output: 0, type: 'opensearch', index: 'alb-404-2024.05.01' },
        { output: 3, type: 'stdout' },
      ],
    ],
  ])('routes an event to %s', async (_case, doc, expected) => {
    const { built, routes } = await routedPipeline();
    try {
      expect(routes(event(doc))).toEqual(expected);
    } finally {
      await built.close();
    }
    expect(connections).toBe(0);
  });

  it('routes by the renamed fields when the pipeline has schema: ecs', async () => {
    const { built, routes } = await routedPipeline('ecs');
    try {
      // The conditions name AWS fields; under ecs the record loop renames them, and routing follows.
      const renamed = built.rename!({ elb_status_code: 500, '@timestamp': '2024-05-01T00:00:00.000Z' });
      expect(routes(event(renamed)).map((route) => route.output)).toEqual([0, 1]);
    } finally {
      await built.close();
    }
    expect(connections).toBe(0);
  });
});
