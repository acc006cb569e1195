import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { errorMessage, SluiceError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { HealthRegistry } from './health.js';

export interface HttpServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Loopback by default: the container health check and sidecars in the task reach it; 0.0.0.0 opens it to the network. */
  host?: string;
  health: HealthRegistry;
  metrics: Metrics;
  logger: Logger;
}

export interface RunningHttpServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

export class HttpServerError extends SluiceError {
  constructor(message: string, context: Record<string, unknown>, cause?: unknown) {
    super('ERR_HTTP_SERVER', message, {
      context,
      cause,
      hint: 'Set SLUICE_HTTP_PORT to a free port, or stop whatever already listens on it.',
    });
  }
}

/**
 * Serves /healthz (liveness, see health.ts for when it fails), /readyz (readiness, with
 * the reasons) and /metrics (Prometheus text) on node:http. Resolves once listening.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { health, metrics, logger } = options;
  const host = options.host ?? '127.0.0.1';

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: errorMessage(error), url: request.url }, 'http request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  // Probes and scrapers are short-lived: don't let an idle keep-alive socket hold shutdown.
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 10_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      sendJson(response, 405, { error: `method ${request.method} not allowed` });
      return;
    }
    switch (path) {
      case '/healthz': {
        const snapshot = health.snapshot();
        sendJson(response, snapshot.live ? 200 : 503, { status: snapshot.live ? 'ok' : 'restart_needed', ...snapshot });
        return;
      }
      case '/readyz': {
        const snapshot = health.snapshot();
        sendJson(response, snapshot.ready ? 200 : 503, { status: snapshot.ready ? 'ready' : 'not_ready', ...snapshot });
        return;
      }
      case '/metrics': {
        const body = await metrics.registry.metrics();
        response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
        return;
      }
      default:
        sendJson(response, 404, { error: 'not found', endpoints: ['/healthz', '/readyz', '/metrics'] });
    }
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new HttpServerError(
          `cannot listen on ${host}:${options.port}: ${error.code ?? error.message}`,
          { host, port: options.port },
          error,
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: errorMessage(error) }, 'http server error'));

  const port = (server.address() as AddressInfo).port;
  logger.info({ host, port }, 'http server listening (/healthz /readyz /metrics)');

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}
