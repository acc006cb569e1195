/**
 * A proxy on 127.0.0.1 that forwards every request unchanged (Host header included, so SigV4
 * signatures still verify upstream) to a real AWS-compatible server and records what was sent
 * and what came back: the raw material for checking requests against an IAM policy.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawAwsRequest } from './aws-request.js';

export interface RecordedRequest extends RawAwsRequest {
  status: number;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: give it to the AWS SDK as the endpoint. */
  url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

function readBody(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const forwarded = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          requests.push({
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers: req.headers,
            body,
            status: answer.statusCode ?? 0,
          });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => req.socket.destroy());
      forwarded.end(body);
    })().catch(() => req.socket.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
