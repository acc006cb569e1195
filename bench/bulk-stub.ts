/**
 * A bulk endpoint that stores nothing, in a process of its own (bench/pipeline-threads.ts starts
 * it): every item `201 created` at once, so a bench measures sluice's work, not a cluster's,
 * and the stub's own CPU is neither inside the measured process nor hidden: `GET /_bench/stats`
 * answers what it received since the last `?reset` and the CPU-seconds it spent on it.
 *
 *   node bulk-stub.js      prints `{"url": ...}` once listening on 127.0.0.1
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubStats {
  items: number;
  bytes: number;
  /** user + system CPU of the stub process since the last reset. */
  cpuSeconds: number;
}

function serve(): void {
  let received = { items: 0, bytes: 0 };
  let cpu0 = process.cpuUsage();
  const server = http.createServer((req, res) => {
    let bytes = 0;
    let lines = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/_bench/stats')) {
        const cpu = process.cpuUsage(cpu0);
        const stats: StubStats = { ...received, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
        if (req.url.includes('reset')) {
          received = { items: 0, bytes: 0 };
          cpu0 = process.cpuUsage();
        }
        res.end(JSON.stringify(stats));
        return;
      }
      if (!req.url?.includes('_bulk')) {
        res.end(JSON.stringify({ version: { number: '2.19.1', distribution: 'opensearch' } }));
        return;
      }
      const items = lines / 2;
      received.items += items;
      received.bytes += bytes;
      res.end(`{"took":0,"errors":false,"items":[${Array(items).fill('{"create":{"status":201}}').join(',')}]}`);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
  });
  // The bench closes stdin when it is done: the stub goes with it.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

serve();
