import { afterAll, describe, expect, it } from 'vitest';
import type { ParserFactory } from '../../../src/core/components.js';
import type { LogEvent } from '../../../src/core/event.js';
import { createOutput, outputConfigSchema } from '../../../src/outputs/index.js';
import { albConnectionParserFactory } from '../../../src/parsers/alb-connection-parser.js';
import { nlbParserFactory } from '../../../src/parsers/nlb-parser.js';
import { s3AccessParserFactory } from '../../../src/parsers/s3-access-parser.js';
import { vpcFlowParserFactory } from '../../../src/parsers/vpc-flow-parser.js';
import { openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { fixtureLines } from '../../parsers/parse-helpers.js';
import { closeTestContexts, testContext } from './output-context.js';

const client = testOpenSearchClient();
const created: string[] = [];

afterAll(async () => {
  await closeTestContexts();
  for (const base of created) {
    await client.indices.delete({ index: `${base}-*`, expand_wildcards: 'all' }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: base }).catch(() => undefined);
  }
});

/** The fixture's documents as events of one object, each with @timestamp set as the date filter would. */
function events(pipeline: string, factory: ParserFactory, lines: string[]): LogEvent[] {
  const parser = factory.forObject('k');
  return lines.flatMap((line, i) =>
    parser.parse(line, i + 1).map((doc, sub) => ({
      doc: { ...doc, '@timestamp': '2024-03-01T00:00:00.000Z' },
      origin: { pipeline, bucket: 'b', key: 'k', etag: 'e', record: i + 1, sub, lastModified: 0 },
    })),
  );
}

describe('built-in templates of the text parsers against OpenSearch', () => {
  it.each<[string, ParserFactory, string[], { field: string; query: Record<string, unknown>; hits: number }]>([
    [
      'alb_connection',
      albConnectionParserFactory(),
      [
        ...fixtureLines('alb-connection-docs.log'),
        `${fixtureLines('alb-connection-docs.log')[0]!} X25519 app/my-lb/50dc6c495c0c9188 10.0.0.15 -`,
      ],
      { field: 'client_ip', query: { term: { client_ip: '203.0.113.0/24' } }, hits: 3 },
    ],
    [
      'nlb',
      nlbParserFactory(),
      [...fixtureLines('nlb-docs.log'), `${fixtureLines('nlb-docs.log')[1]!} 2020-04-01T08:51:40`],
      { field: 'destination_ip', query: { range: { connection_time: { gte: 5 } } }, hits: 3 },
    ],
    [
      's3_access',
      s3AccessParserFactory(),
      fixtureLines('s3-access-docs.log'),
      { field: 'remote_ip', query: { term: { request_uri: 'GET /amzn-s3-demo-bucket1?policy HTTP/1.1' } }, hits: 1 },
    ],
    [
      'vpc_flow',
      vpcFlowParserFactory(),
      fixtureLines('vpc-flow-custom.log'),
      { field: 'pkt_srcaddr', query: { range: { start: { gte: '2019-08-26T19:00:00Z' } } }, hits: 2 },
    ],
  ])(
    'indexes the %s documents without a mapping error and searches them by mapped fields',
    async (kind, factory, lines, check) => {
      const base = uniqueName(`tpl-${kind.replace('_', '-')}`);
      created.push(base);
      const t = testContext(base);
      const config = outputConfigSchema.parse({
        type: 'opensearch',
        hosts: [openSearchUrl()],
        index: `${base}-%{+YYYY.MM.dd}`,
        template: { kind, number_of_replicas: 0, name: base },
        flush_interval_seconds: 0.05,
      });
      const output = createOutput(config, t.ctx);
      await output.start();
      const batch = events(base, factory, lines);
      expect(await output.write(batch)).toEqual({ stored: batch.length, duplicates: 0, deadLettered: 0 });
      await output.close();
      const index = `${base}-2024.03.01`;
      await client.indices.refresh({ index });
      const mapping = await client.indices.getMapping({ index });
      const props = Object.values(mapping.body)[0]!.mappings.properties as Record<string, { type?: string }>;
      expect(props[check.field]?.type).toBe('ip');
      const found = await client.search({ index, body: { query: check.query } });
      expect((found.body.hits.total as { value: number }).value).toBe(check.hits);
    },
  );
});
