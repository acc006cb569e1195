import { afterAll, describe, expect, it } from 'vitest';
import { albLine } from '../../helpers/alb-data.js';
import { linesWith } from '../../helpers/e2e-logs.js';
import { LocalPipeline, summaryOf } from '../../helpers/local-pipeline.js';
import { openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';

const client = testOpenSearchClient();
const created: string[] = [];

afterAll(async () => {
  for (const base of created) {
    await client.indices.delete({ index: `${base}-*`, expand_wildcards: 'all' }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: base }).catch(() => undefined);
  }
});

/**
 * A pipeline without a `dead_letter` section against the real OpenSearch: a document the node
 * rejects (a mapping conflict) is logged as a warning with its code, reason, key and record and
 * counted, never with its text; its write settles, the object is done and `run --once` exits.
 */
describe('a pipeline without a dead-letter', () => {
  it('logs and counts the document OpenSearch rejects and finishes the object when its mapping conflicts', async () => {
    const base = uniqueName('nodl');
    created.push(base);
    const lines = Array.from({ length: 5 }, (_, i) => albLine(1, i + 1));
    const pipeline = new LocalPipeline({
      id: 'no-dead-letter',
      parser: '{ type: alb }',
      filters: [
        '      - { type: date, field: time }',
        // Record 3's sent_bytes becomes text: the template maps it as a number, so the node refuses it.
        '      - type: mutate',
        '        add: { sent_bytes: "%{[request_url]}" }',
        '        when: { equals: { field: trace_id, value: "Root=1-1-3" } }',
      ].join('\n'),
      outputs: [
        '      - type: opensearch',
        `        hosts: ["${openSearchUrl()}"]`,
        `        index: "${base}-%{+YYYY.MM.dd}"`,
        `        template: { kind: alb, number_of_replicas: 0, name: ${base} }`,
        '        flush_interval_seconds: 0.05',
      ].join('\n'),
      pipelineExtra: '',
      files: { 'alb.log': `${lines.join('\n')}\n` },
    });
    const run = await pipeline.runOnce(90_000);
    expect(run.code, run.output.slice(-3000)).toBe(0);

    await client.indices.refresh({ index: `${base}-*` });
    const stored = await client.search({ index: `${base}-*`, body: { size: 10, _source: ['trace_id'] } });
    const traces = stored.body.hits.hits.map((hit) => (hit._source as { trace_id: string }).trace_id).sort();
    expect(traces).toEqual(['Root=1-1-1', 'Root=1-1-2', 'Root=1-1-4', 'Root=1-1-5']);

    const [warning, ...more] = linesWith(run.output, 'configure dead_letter');
    expect(more).toEqual([]);
    expect(warning).toMatchObject({
      level: 'warn',
      pipeline: 'no-dead-letter',
      key: 'alb.log',
      record: 3,
      code: 'ERR_BULK_REJECTED',
    });
    expect(String(warning!.reason)).toMatch(/mapper_parsing_exception.*sent_bytes/);
    expect(warning).not.toHaveProperty('raw');
    expect(warning).not.toHaveProperty('doc');
    // The rejected document's own fields (its trace id, its user agent) are logged nowhere.
    expect(run.output).not.toContain('"trace_id":"Root=1-1-3"');
    expect(run.output).not.toContain('curl/8.5.0');
    expect(summaryOf(run.output)).toBe(
      'sluice: no-dead-letter: 1 new object(s), 5 record(s), 5 event(s), 1 dead-lettered',
    );
    expect(linesWith(run.output, 'sluice stopped')[0]).toMatchObject({ objects: 1, deadLettered: 1, failed: 0 });
  });
});
