import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { albLine, albObject } from '../../helpers/alb-data.js';
import { startRecordingProxy } from '../../helpers/recording-proxy.js';
import {
  awsEndpoint,
  geoipDatabasePath,
  openSearchUrl,
  testOpenSearchClient,
  testS3Client,
  uniqueName,
} from '../../helpers/services.js';
import { startSluice } from '../../helpers/sluice-process.js';

/**
 * SLUICE_WORKER_THREADS=2 against 1 (the same per-batch work, pipeline/loop-and-encode.ts, run
 * inline on the main thread; test/pipeline/inline-encoding.test.ts holds inline against the
 * event path a file or stdout pipeline takes) on the same objects into the same
 * index of the real OpenSearch: the bulk lines sent are byte for byte the same (recorded by a
 * proxy in front of the node), and so are the documents stored and their ids. The objects
 * exercise what the threads hand back beside the encoded lines: records that do not parse
 * (dead-lettered on the main thread), events of several days over `max_indices: 1` (the cap
 * kept on the main thread, the overflow index's action line rewritten there), and a record
 * number past the 2,000-record batches (batch order across threads).
 */
describe('worker threads against the in-process path', () => {
  const s3 = testS3Client();
  const opensearch = testOpenSearchClient();

  it('sends the same bulk lines and stores the same documents with 2 threads as with 1', async () => {
    const bucket = uniqueName('threads');
    const index = uniqueName('threads');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const days = [Date.UTC(2024, 4, 1), Date.UTC(2024, 4, 2), Date.UTC(2024, 4, 3)];
    const bad = [albLine(9, 1), 'not an alb line', albLine(9, 3), '"unterminated', albLine(9, 5)].join('\n');
    const objects: [string, Buffer][] = [
      ['logs/a.log.gz', albObject(1, 7_500, new Date(days[0]!))],
      ['logs/b.log.gz', albObject(2, 3_000, new Date(days[1]!))],
      ['logs/c.log.gz', albObject(3, 900, new Date(days[2]!))],
      ['logs/d.log.gz', gzipSync(`${bad}\n`)],
    ];
    for (const [key, body] of objects) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const proxy = await startRecordingProxy(openSearchUrl());
    const dir = mkdtempSync(join(tmpdir(), 'sluice-threads-'));

    const run = async (threads: number) => {
      const config = join(dir, `pipeline-${threads}.yml`);
      writeFileSync(
        config,
        `pipelines:
  - id: threads
    source: { type: s3, bucket: ${bucket}, prefix: logs/, region: us-east-1, endpoint: "${awsEndpoint()}", force_path_style: true, start_time: beginning, max_objects_in_flight: 1 }
    parser: { type: alb }
    filters:
      - { type: date, field: time, formats: [iso8601] }
      - { type: geoip, source: client_ip, target: geoip, database: "${geoipDatabasePath()}" }
      - { type: redact, pattern_fields: [request_url, user_agent], replacement: "[REDACTED]" }
      - { type: user_agent, source: user_agent }
    outputs:
      - type: opensearch
        hosts: ["${proxy.url}"]
        index: "${index}-%{+YYYY.MM.dd}"
        max_indices: 1
        overflow_index: "${index}-overflow"
        flush_events: 1000
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoint-${threads}, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1 }
`,
      );
      proxy.requests.length = 0;
      const sluice = startSluice(['run', '--once', '--config', config], { SLUICE_WORKER_THREADS: String(threads) });
      const exit = await sluice.exited;
      expect(exit.code, sluice.output().slice(-3000)).toBe(0);
      // Each item as its action line and document, byte for byte; requests run concurrently, so sorted.
      const lines = proxy.requests
        .filter((request) => request.url.includes('_bulk'))
        .flatMap((request) => request.body.toString().split(/(?<=\n)/))
        .reduce<string[]>((items, line, i) => {
          if (i % 2 === 0) items.push(line);
          else items[items.length - 1] += line;
          return items;
        }, [])
        .sort();
      await opensearch.indices.refresh({ index: `${index}-*` });
      const stored = await documents(`${index}-*`);
      await opensearch.indices.delete({ index: `${index}-*` });
      return { lines, stored, output: sluice.output() };
    };

    const inProcess = await run(1);
    const threaded = await run(2);
    await proxy.close();

    const records = 7_500 + 3_000 + 900 + 3;
    expect(inProcess.lines).toHaveLength(records);
    expect(threaded.lines).toHaveLength(records);
    const differing = threaded.lines.findIndex((line, i) => line !== inProcess.lines[i]);
    expect(differing, `first differing item:\n${threaded.lines[differing]}\n${inProcess.lines[differing]}`).toBe(-1);
    expect(threaded.stored.size).toBe(records);
    expect([...threaded.stored.keys()].sort()).toEqual([...inProcess.stored.keys()].sort());
    for (const [id, doc] of inProcess.stored) expect(threaded.stored.get(id), id).toEqual(doc);
    expect(threaded.output).toContain('record loop worker thread started');
    expect(inProcess.output).not.toContain('record loop worker thread started');
    // Events of the second and third day went to the overflow index, in both runs.
    const overflow = [...threaded.stored.values()].filter((doc) => doc._index === `${index}-overflow`);
    expect(overflow).toHaveLength(3_000 + 900);
    // The two unparsable records were dead-lettered (logged: no dead_letter section) in both.
    for (const { output } of [inProcess, threaded]) {
      expect(output.match(/"code":"ERR_RECORD_PARSE"/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    }
  }, 300_000);

  /** Every document of the pattern by id: its index and source. */
  async function documents(pattern: string): Promise<Map<string, Record<string, unknown>>> {
    const stored = new Map<string, Record<string, unknown>>();
    let response = await opensearch.search({ index: pattern, scroll: '1m', size: 2000, body: { sort: ['_doc'] } });
    while (response.body.hits.hits.length > 0) {
      for (const hit of response.body.hits.hits) stored.set(hit._id!, { _index: hit._index, ...hit._source });
      response = await opensearch.scroll({ scroll_id: response.body._scroll_id!, scroll: '1m' });
    }
    return stored;
  }
});
