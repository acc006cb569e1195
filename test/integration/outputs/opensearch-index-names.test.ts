import { afterAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/core/event.js';
import { createOutput, outputConfigSchema } from '../../../src/outputs/index.js';
import { openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { closeTestContexts, testContext } from './output-context.js';

const client = testOpenSearchClient();
/** Wildcards that match every index a test created (patterns put the unique base first, last or after a dot). */
const cleanup: string[] = [];
const templates: string[] = [];

afterAll(async () => {
  await closeTestContexts();
  for (const index of cleanup) {
    await client.indices.delete({ index, expand_wildcards: 'all' }).catch(() => undefined);
  }
  for (const name of templates) await client.indices.deleteIndexTemplate({ name }).catch(() => undefined);
});

function events(pipeline: string, values: readonly unknown[]): LogEvent[] {
  return values.map((v, i) => ({
    doc: { '@timestamp': '2024-05-01T00:00:00Z', v, n: i },
    origin: { pipeline, bucket: 'b', key: 'AWSLogs/names.log', etag: 'e', record: i + 1, sub: 0, lastModified: 0 },
  }));
}

function output(pipeline: string, index: string, extra: Record<string, unknown> = {}) {
  const t = testContext(pipeline);
  const config = outputConfigSchema.parse({
    type: 'opensearch',
    hosts: [openSearchUrl()],
    index,
    flush_interval_seconds: 0.05,
    ...extra,
  });
  return { t, output: createOutput(config, t.ctx) };
}

/** Every index whose name matches, as OpenSearch lists it (hidden ones too). */
async function indices(wildcard: string): Promise<string[]> {
  const response = await client.cat.indices({ index: wildcard, format: 'json', expand_wildcards: 'all' });
  return (response.body as { index: string }[]).map((row) => row.index).sort();
}

// Values an attacker can put into a field that names an index: hidden names, path tricks, every
// class of character OpenSearch refuses, invisible ones, broken UTF-16, case oddities, a megabyte.
const HOSTILE: unknown[] = [
  '.kibana',
  '.opendistro-security',
  '..',
  '.',
  '_all',
  '-x',
  '+x',
  '../../etc/passwd',
  'a\\b/c*d?e"f<g>h|i',
  'a b,c#d:e',
  '\u0000\u0001\u001f\u007f\u0085',
  'tab\there\r\nnew',
  '\u2028\u2029\u3000\u00a0',
  '\u202eevil\u200d\ufeff\u{e0001}',
  '\ud83d',
  '\udc00x\ud800',
  '😀'.repeat(40),
  'İSTANBUL ΣΑΣ ǅ ẞ',
  'UPPER',
  '%2e%2e%2f',
  '_'.repeat(300),
  'a'.repeat(1024 * 1024),
  '',
  12345,
  true,
  null,
  { object: 'value' },
  [{ array: 'of objects' }],
];

describe('OpenSearchOutput index names', () => {
  it.each([
    ['data first', (base: string) => `%{[v]}-${base}`, (base: string) => `*${base}`],
    ['data after a prefix', (base: string) => `${base}-%{[v]}-%{+YYYY.MM.dd}`, (base: string) => `${base}-*`],
    ['a dot the user wrote', (base: string) => `.${base}-%{[v]}`, (base: string) => `.${base}-*`],
  ])(
    'stores every hostile value in an index the real node accepts, never hidden by data, when the pattern has %s',
    async (_name, pattern, wildcard) => {
      const base = uniqueName('names');
      cleanup.push(wildcard(base));
      const { t, output: out } = output('names', pattern(base));
      await out.start();
      const report = await out.write(events('names', HOSTILE));
      await out.close();
      expect(t.deadLettered().map((e) => e.reason)).toEqual([]);
      expect(report).toEqual({ stored: HOSTILE.length, duplicates: 0, deadLettered: 0 });
      // The megabyte value is bounded before anything else: it does not slow the write. Timed on
      // a replay into the indices the first write created (creating 20-odd indices took 10-18 s
      // on a loaded node): every name built again by a new output, every document a 409. About a
      // tenth of a second at a load average of 17; the unbounded cut took about 50 s per megabyte.
      const replay = output('names', pattern(base));
      await replay.output.start();
      const started = performance.now();
      const again = await replay.output.write(events('names', HOSTILE));
      const elapsed = performance.now() - started;
      await replay.output.close();
      expect(again).toEqual({ stored: 0, duplicates: HOSTILE.length, deadLettered: 0 });
      expect(elapsed).toBeLessThan(30_000);

      const names = await indices(wildcard(base));
      expect(names.length).toBeGreaterThan(5);
      console.log(
        `index names (${_name}): ${HOSTILE.length} hostile values into ${names.length} indices; the replay took ${Math.round(elapsed)} ms`,
      );
      for (const name of names) {
        expect(Buffer.byteLength(name), name).toBeLessThanOrEqual(255);
        expect(/[\p{Cc}\p{Cf}\p{Cs}]/u.test(name), JSON.stringify(name)).toBe(false);
        // Only the pattern's own dot may lead; data never makes a name hidden.
        if (!pattern(base).startsWith('.')) expect(name.startsWith('.'), name).toBe(false);
      }
      await client.indices.refresh({ index: wildcard(base), expand_wildcards: 'all' });
      const count = await client.count({ index: wildcard(base), expand_wildcards: 'all' });
      expect(count.body.count).toBe(HOSTILE.length);
    },
  );

  it('dead-letters events over max_indices with ERR_OUTPUT_INDEX_LIMIT and creates no further index when no overflow_index is set', async () => {
    const base = uniqueName('cap');
    cleanup.push(`${base}-*`);
    const { t, output: out } = output('cap', `${base}-%{[v]}`, { max_indices: 3 });
    await out.start();
    const tenants = ['a', 'b', 'c', 'd', 'e', 'a', 'c', 'f'];
    const report = await out.write(events('cap', tenants));
    await out.close();
    expect(report).toEqual({ stored: 5, duplicates: 0, deadLettered: 3 });
    expect(await indices(`${base}-*`)).toEqual([`${base}-a`, `${base}-b`, `${base}-c`]);
    const entries = t.deadLettered();
    expect(entries.map((e) => [e.record, e.code])).toEqual([
      [4, 'ERR_OUTPUT_INDEX_LIMIT'],
      [5, 'ERR_OUTPUT_INDEX_LIMIT'],
      [8, 'ERR_OUTPUT_INDEX_LIMIT'],
    ]);
    expect(entries[0]!.reason).toContain('max_indices (3)');
    expect(entries[0]!.doc).toMatchObject({ v: 'd' });
    expect(t.logs()).toContain('max_indices reached');
  });

  it('sends events over max_indices to overflow_index, mapped by the installed template, when it is set', async () => {
    const base = uniqueName('overflow');
    cleanup.push(`${base}-*`, `spill-${base}`);
    templates.push(base);
    const { t, output: out } = output('overflow', `${base}-%{[v]}`, {
      max_indices: 2,
      overflow_index: `Spill-${base}`,
      template: { kind: 'alb', number_of_replicas: 0, name: base },
    });
    await out.start();
    const report = await out.write(events('overflow', ['a', 'b', 'c', 'd', 'a']));
    await out.close();
    expect(report).toEqual({ stored: 5, duplicates: 0, deadLettered: 0 });
    expect(await indices(`${base}-*`)).toEqual([`${base}-a`, `${base}-b`]);
    const spill = `spill-${base}`;
    await client.indices.refresh({ index: spill });
    // `n` is not in the alb mappings, so it is not mapped (dynamic: false) and cannot sort: order in the test.
    const overflow = await client.search({ index: spill, body: { query: { match_all: {} } } });
    const sources = overflow.body.hits.hits.map((h) => h._source as { v: string; n: number });
    expect(sources.sort((a, b) => a.n - b.n).map((s) => s.v)).toEqual(['c', 'd']);
    const mapping = await client.indices.getMapping({ index: spill });
    expect(mapping.body[spill]!.mappings.dynamic).toBe('false');
    expect(t.deadLettered()).toEqual([]);
  });
});
