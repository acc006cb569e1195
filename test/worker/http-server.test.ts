import { afterEach, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { HealthRegistry } from '../../src/worker/health.js';
import { type RunningHttpServer, startHttpServer } from '../../src/worker/http-server.js';
import { externalIpv4Addresses, listeningAddresses } from '../helpers/listening-sockets.js';

const started: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function serve(health = new HealthRegistry(), metrics = new Metrics()) {
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', health, metrics, logger: silentLogger() });
  started.push(server);
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
  return { server, health, metrics, url };
}

function readyHealth(): HealthRegistry {
  const health = new HealthRegistry();
  health.setConfigLoaded();
  health.setPipeline('alb', { state: 'running' });
  health.setPipeline('waf', { state: 'waiting_for_lease', detail: 'lease held by task-b' });
  health.setOutputReachable('alb/opensearch', true);
  return health;
}

describe('startHttpServer', () => {
  it('binds a free port on 127.0.0.1 when port 0 is given', async () => {
    const { server } = await serve();
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers /healthz 200 with the pipelines when a pipeline fails beside a healthy one', async () => {
    const health = readyHealth();
    health.setPipeline('waf', { state: 'failing', lastError: 'AccessDenied' });
    const { url } = await serve(health);
    const response = await fetch(url('/healthz'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await response.json();
    expect(body).toMatchObject({
      status: 'ok',
      live: true,
      ready: false,
      pipelines: { alb: { state: 'running' }, waf: { state: 'failing', lastError: 'AccessDenied', ready: false } },
    });
  });

  it('answers /healthz 503 with the reason when a pipeline requires a restart', async () => {
    const health = readyHealth();
    health.setPipeline('alb', { state: 'failing', lastError: 'boom', restartRequired: true });
    const { url } = await serve(health);
    const response = await fetch(url('/healthz'));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; notLive: unknown };
    expect(body.status).toBe('restart_needed');
    expect(body.notLive).toEqual([
      { kind: 'pipeline', id: 'alb', reason: 'restart required: failing; last error: boom' },
    ]);
  });

  it('answers /readyz 200 when the config is loaded, pipelines run or wait, and outputs are reachable', async () => {
    const { url } = await serve(readyHealth());
    const response = await fetch(url('/readyz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', ready: true, notReady: [] });
  });

  const notReadyCases: Array<[string, (health: HealthRegistry) => void, object]> = [
    ['the config is not loaded', () => {}, { kind: 'config', reason: 'configuration not loaded yet' }],
    [
      'a pipeline is still starting',
      (h) => {
        h.setConfigLoaded();
        h.setPipeline('alb', { state: 'starting', detail: 'checking output' });
      },
      { kind: 'pipeline', id: 'alb', reason: 'starting; checking output' },
    ],
    [
      'an output is unreachable',
      (h) => {
        h.setConfigLoaded();
        h.setPipeline('alb', { state: 'running' });
        h.setOutputReachable('alb/opensearch', false, 'HTTP 401 from https://search.example');
      },
      { kind: 'output', id: 'alb/opensearch', reason: 'unreachable: HTTP 401 from https://search.example' },
    ],
    [
      'a pipeline is draining',
      (h) => {
        h.setConfigLoaded();
        h.setPipeline('alb', { state: 'draining', detail: 'SIGTERM' });
      },
      { kind: 'pipeline', id: 'alb', reason: 'draining; SIGTERM' },
    ],
  ];
  it.each(notReadyCases)('answers /readyz 503 with the reason when %s', async (_name, arrange, problem) => {
    const health = new HealthRegistry();
    arrange(health);
    const { url } = await serve(health);
    const response = await fetch(url('/readyz'));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; notReady: unknown };
    expect(body.status).toBe('not_ready');
    expect(body.notReady).toEqual([problem]);
  });

  it('follows health changes between requests', async () => {
    const health = readyHealth();
    const { url } = await serve(health);
    expect((await fetch(url('/readyz'))).status).toBe(200);
    health.setOutputReachable('alb/opensearch', false);
    expect((await fetch(url('/readyz'))).status).toBe(503);
    health.setOutputReachable('alb/opensearch', true);
    expect((await fetch(url('/readyz'))).status).toBe(200);
  });

  it('serves /metrics in the registry content type with a counter value it was given', async () => {
    const { url, metrics } = await serve();
    metrics.eventsIndexed.inc({ pipeline: 'alb', output: 'opensearch' }, 42);
    metrics.eventsIndexed.inc({ pipeline: 'alb', output: 'opensearch' });
    const response = await fetch(url('/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await response.text();
    expect(text).toContain('# TYPE sluice_events_indexed_total counter');
    expect(text).toMatch(/^sluice_events_indexed_total\{pipeline="alb",output="opensearch"\} 43$/m);
  });

  it('serves process metrics when the registry collects default metrics', async () => {
    const { url } = await serve(new HealthRegistry(), new Metrics({ defaultMetrics: true }));
    const text = await (await fetch(url('/metrics'))).text();
    expect(text).toMatch(/^sluice_\w*resident_memory_bytes \d+/m);
  });

  it('answers 404 with the endpoint list when the path is unknown', async () => {
    const { url } = await serve();
    const response = await fetch(url('/nope'));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not found', endpoints: ['/healthz', '/readyz', '/metrics'] });
  });

  it('answers 405 when the method is not GET or HEAD', async () => {
    const { url } = await serve(readyHealth());
    const response = await fetch(url('/readyz'), { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers HEAD with the status and no body when probed that way', async () => {
    const { url } = await serve(readyHealth());
    const response = await fetch(url('/readyz'), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('ignores the query string when matching paths', async () => {
    const { url } = await serve(readyHealth());
    expect((await fetch(url('/readyz?verbose=1'))).status).toBe(200);
  });

  it('rejects with ERR_HTTP_SERVER when the port is taken', async () => {
    const { server } = await serve();
    const error = await startHttpServer({
      port: server.port,
      host: '127.0.0.1',
      health: new HealthRegistry(),
      metrics: new Metrics(),
      logger: silentLogger(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe('ERR_HTTP_SERVER');
    expect((error as SluiceError).message).toContain('EADDRINUSE');
  });

  it('stops accepting connections when closed, even with a keep-alive connection open', async () => {
    const { server, url } = await serve();
    expect((await fetch(url('/healthz'))).status).toBe(200);
    await server.close();
    await server.close();
    await expect(fetch(url('/healthz'))).rejects.toThrow();
  });
});

describe('startHttpServer without a host', () => {
  it('listens on 127.0.0.1 only, not on the other addresses of the machine, when no host is given', async () => {
    const server = await startHttpServer({
      port: 0,
      health: readyHealth(),
      metrics: new Metrics(),
      logger: silentLogger(),
    });
    started.push(server);
    expect(listeningAddresses(server.port)).toEqual(['127.0.0.1']);
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    for (const address of externalIpv4Addresses()) {
      await expect(fetch(`http://${address}:${server.port}/healthz`), address).rejects.toThrow();
    }
  });
});
