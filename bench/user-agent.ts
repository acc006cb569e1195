/**
 * `npm run bench:build && node .cache/bench-build/bench/user-agent.js`: what the user_agent
 * filter costs per event on 100,000 generated load balancer user agents (bench/user-agents.ts),
 * through the filter as a pipeline runs it: a cache miss (every agent new), a cache hit (the
 * same agent again), and the stream with its real repeats at the default cache size.
 */
import type { LogEvent } from '../src/core/event.js';
import { createUserAgentFilter, userAgentFilterSchema } from '../src/filters/user-agent-filter.js';
import { loadUserAgentRules } from '../src/filters/user-agent-rules.js';
import { userAgentPool, userAgentStream } from './user-agents.js';

const EVENTS = 100_000;

function events(agents: readonly string[]): LogEvent[] {
  const origin = { pipeline: 'bench', bucket: 'b', key: 'k', etag: 'e', record: 0, sub: 0, lastModified: 0 };
  return agents.map((user_agent) => ({ doc: { user_agent }, origin }));
}

/** Nanoseconds of CPU per event for one pass of a fresh filter over the events. */
function measure(
  agents: readonly string[],
  cacheSize: number,
  warm?: readonly string[],
): { ns: number; hitRate: number } {
  const filter = createUserAgentFilter(
    userAgentFilterSchema.parse({ type: 'user_agent', source: 'user_agent', cache_size: cacheSize }),
  );
  if (warm) for (const event of events(warm)) filter.apply(event);
  const before = filter.cacheStats();
  const batch = events(agents);
  const start = process.cpuUsage();
  for (const event of batch) filter.apply(event);
  const used = process.cpuUsage(start);
  const after = filter.cacheStats();
  const hits = after.hits - before.hits;
  return { ns: ((used.user + used.system) * 1000) / batch.length, hitRate: hits / batch.length };
}

function main(): void {
  const loadStart = performance.now();
  loadUserAgentRules();
  const loadMs = performance.now() - loadStart;
  const pool = userAgentPool(20_000);
  const stream = userAgentStream(pool, EVENTS);
  const distinct = new Set(stream).size;
  const misses = pool.slice(0, 5_000);
  const rows: Array<[string, { ns: number; hitRate: number }]> = [
    ['miss (5,000 distinct agents, cache off)', measure(misses, 0)],
    ['hit (the same 5,000 again, warm cache)', measure(misses, 10_000, misses)],
    [`stream, cold cache (${EVENTS} events, ${distinct} distinct)`, measure(stream, 10_000)],
    ['stream, warm cache (the same stream after one pass)', measure(stream, 10_000, stream)],
  ];
  console.log(`user_agent filter, node ${process.version}, one thread; rules loaded in ${loadMs.toFixed(0)} ms`);
  console.log('| case | CPU ns per event | cache hit rate |\n| --- | ---: | ---: |');
  for (const [name, { ns, hitRate }] of rows)
    console.log(`| ${name} | ${ns.toFixed(0)} | ${(hitRate * 100).toFixed(1)} % |`);
}

main();
