import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { albLine } from '../../helpers/alb-data.js';
import { linesWith } from '../../helpers/e2e-logs.js';
import { LocalPipeline, summaryOf } from '../../helpers/local-pipeline.js';

/** A JSON value nested `depth` arrays deep: deeper than JSON.stringify's stack allows at 5,000. */
const deeplyNested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/**
 * Record-level failures end to end through `sluice run --once` (file source, file output, file
 * dead-letter): the record goes to the dead-letter with code, reason, key and record number,
 * redacted as the pipeline's filters redact; the rest of the object is indexed; the run ends.
 */
describe('record-level failures', () => {
  // The JSON parsers refuse such nesting themselves now (max_depth), before any filter or output
  // sees it; a filter that throws on one event is the record loop's to contain, tested with a
  // parser of its own in test/pipeline/record-loop.test.ts.
  it('dead-letters the one record nested 5,000 levels deep, redacted, and indexes the rest when its filters would overflow on it', async () => {
    const lines = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ n: i + 1, url: `https://shop.example.com/login?password=hunter2&page=${i + 1}`, nested: [i] }),
    );
    lines[3] = `{"n":4,"url":"https://shop.example.com/login?password=hunter2","nested":${deeplyNested(5000)}}`;
    const pipeline = new LocalPipeline({
      id: 'filter-throws',
      parser: '{ type: json_lines }',
      filters: [
        // Rendering `nested` as text overflows the stack on the deep value: ERR_FILTER_APPLY.
        '      - { type: mutate, add: { summary: "n=%{[n]} nested=%{[nested]}" } }',
        '      - { type: redact }',
      ].join('\n'),
      files: { 'app.log': `${lines.join('\n')}\n` },
    });
    const run = await pipeline.runOnce();
    expect(run.code, run.output.slice(-2000)).toBe(0);

    const events = pipeline.events();
    expect(events.map((doc) => doc.n)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    const [entry, ...others] = pipeline.deadLetters();
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ pipeline: 'filter-throws', key: 'app.log', record: 4, code: 'ERR_RECORD_PARSE' });
    expect(entry!.reason).toContain('more than max_depth (20)');
    expect(entry!.raw).toContain('"n":4');
    expect(entry!.raw).toContain('password=');
    expect(entry!.doc).toBeUndefined();
    expect(pipeline.text('dead-letter.ndjson')).not.toContain('hunter2');
    expect(pipeline.text('out/events.ndjson')).not.toContain('hunter2');
    expect(summaryOf(run.output)).toBe(
      'sluice: filter-throws: 1 new object(s), 9 record(s), 9 event(s), 1 dead-lettered',
    );
  });

  it('keeps secrets out of the dead-letter when a line that does not parse or is too long holds one', async () => {
    // The client:port token of line 2 holds the secret: the parser's reason quotes it.
    const quoted = albLine(1, 2).split(' ');
    quoted[3] = 'login?password=hunter2';
    const lines = [
      albLine(1, 1),
      quoted.join(' '),
      albLine(1, 3),
      albLine(1, 4).replace('/item/4?', `/item/4?password=hunter2&pad=${'x'.repeat(3000)}&`),
      albLine(1, 5),
      'GET https://shop.example.com/login?password=hunter2&user=bob HTTP/1.1 is not an ALB record',
      albLine(1, 7),
    ];
    const pipeline = new LocalPipeline({
      id: 'secret-records',
      parser: '{ type: alb }',
      filters: ['      - { type: date, field: time }', '      - { type: redact, pattern_fields: [request_url] }'].join(
        '\n',
      ),
      pipelineExtra: '    dead_letter: { type: file, path: dead-letter.ndjson }\n    max_record_bytes: 2000',
      files: { 'alb.log.gz': gzipSync(`${lines.join('\n')}\n`) },
    });
    const run = await pipeline.runOnce();
    expect(run.code, run.output.slice(-2000)).toBe(0);

    expect(pipeline.events().map((doc) => doc.trace_id)).toEqual([1, 3, 5, 7].map((line) => `Root=1-1-${line}`));
    const entries = pipeline.deadLetters().sort((a, b) => a.record - b.record);
    expect(entries.map(({ record, code }) => [record, code])).toEqual([
      [2, 'ERR_RECORD_PARSE'],
      [4, 'ERR_RECORD_TOO_LARGE'],
      [6, 'ERR_RECORD_PARSE'],
    ]);
    expect(entries[0]!.reason).toContain('login?password=');
    expect(entries[0]!.raw).toContain('Root=1-1-2');
    expect(entries[2]!.raw).toContain('login?password=');
    expect(entries[2]!.raw).toContain('user=bob');
    expect(pipeline.text('dead-letter.ndjson')).not.toContain('hunter2');
    expect(run.output).not.toContain('hunter2');
  });

  it('quarantines a tiny gzip of garbage as one entry naming the ratio when it would expand to millions of entries', async () => {
    // 2,097,152 garbage lines: a few KB of gzip that used to become 2 M dead-letter entries (550 MB).
    // Each starts with `{`, so the JSON framing makes each one record (a broken document).
    const flood = gzipSync('{x\n'.repeat(2_097_152), { level: 9 });
    expect(flood.length).toBeLessThan(10_000);
    const pipeline = new LocalPipeline({
      id: 'flood',
      parser: '{ type: json_lines }',
      files: { 'flood.log.gz': flood, 'good.log': `${JSON.stringify({ n: 1 })}\n` },
    });
    const run = await pipeline.runOnce(90_000);
    expect(run.code, run.output.slice(-2000)).toBe(0);

    // Default settings: more than max_dead_letter_ratio of its first batch fails, so nothing but one entry.
    const entries = pipeline.deadLetters();
    expect(entries).toEqual([
      expect.objectContaining({
        key: 'flood.log.gz',
        record: 0,
        code: 'ERR_DEAD_LETTER_CAP',
        reason: expect.stringContaining('max_dead_letter_ratio (0.5)'),
      }),
    ]);
    expect(pipeline.events()).toEqual([{ n: 1 }]);
    expect(summaryOf(run.output)).toBe('sluice: flood: 1 new object(s), 1 record(s), 1 event(s), 1 quarantined');
  }, 180_000);

  it('quarantines an object naming max_dead_letter_records_per_object and keeps what was acknowledged when it passes the count', async () => {
    const good = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => JSON.stringify({ n: from + i }));
    const bad = (count: number) => Array.from({ length: count }, (_, i) => `{not json ${i}`);
    // Two thousand good records (one batch, acknowledged), then a batch that would pass the cap.
    const mixed = [...good(1, 3000), ...bad(1000), ...good(4001, 1000)];
    // A few bad records among many good ones stay under both limits.
    const few = [...good(1, 100), ...bad(3), ...good(104, 100)];
    const pipeline = new LocalPipeline({
      id: 'dead-letter-cap',
      parser: '{ type: json_lines }',
      pipelineExtra: [
        '    dead_letter: { type: file, path: dead-letter.ndjson }',
        '    max_dead_letter_records_per_object: 500',
      ].join('\n'),
      files: { 'mixed.log': `${mixed.join('\n')}\n`, 'few.log': `${few.join('\n')}\n` },
    });
    const run = await pipeline.runOnce();
    expect(run.code, run.output.slice(-2000)).toBe(0);

    const entries = pipeline.deadLetters();
    const ofKey = (key: string) => entries.filter((entry) => entry.key === key);
    expect(ofKey('mixed.log')).toEqual([expect.objectContaining({ record: 0, code: 'ERR_DEAD_LETTER_CAP' })]);
    const [quarantined] = ofKey('mixed.log');
    expect(quarantined!.reason).toContain('max_dead_letter_records_per_object (500)');
    expect(quarantined!.reason).not.toContain('max_dead_letter_ratio');
    expect(ofKey('few.log').map((entry) => [entry.record, entry.code])).toEqual([
      [101, 'ERR_RECORD_PARSE'],
      [102, 'ERR_RECORD_PARSE'],
      [103, 'ERR_RECORD_PARSE'],
    ]);
    // What was acknowledged before the cap stays; nothing of the batch that passed it was sent.
    expect(pipeline.events()).toHaveLength(2000 + 200);
    expect(linesWith(run.output, 'object quarantined to the dead-letter')).toHaveLength(1);
    // The summary counts what was acknowledged, the quarantined object's first batch included.
    expect(summaryOf(run.output)).toBe(
      'sluice: dead-letter-cap: 1 new object(s), 2200 record(s), 2200 event(s), 3 dead-lettered, 1 quarantined',
    );
    expect(linesWith(run.output, 'sluice stopped')[0]).toMatchObject({ objects: 1, failed: 1, deadLettered: 3 });

    // The quarantined object is done with its reason: a second run reads nothing again.
    const second = await pipeline.runOnce();
    expect(summaryOf(second.output)).toContain('nothing new since the last run');
    expect(pipeline.deadLetters()).toHaveLength(entries.length);
  });

  it('reads one record per line when lines end with a lone CR, or CR, LF and CRLF mixed', async () => {
    const records = (object: number) => Array.from({ length: 50 }, (_, i) => albLine(object, i + 1));
    const ends = ['\r', '\n', '\r\n'];
    const mixed = records(2)
      .map((line, i) => `${line}${ends[i % 3]}`)
      .join('');
    const pipeline = new LocalPipeline({
      id: 'cr-lines',
      parser: '{ type: alb }',
      filters: '      - { type: date, field: time }',
      files: { 'mac.log': `${records(1).join('\r')}\r`, 'mixed.log.gz': gzipSync(mixed) },
    });
    const run = await pipeline.runOnce();
    expect(run.code, run.output.slice(-2000)).toBe(0);

    const events = pipeline.events();
    const traces = (object: number) =>
      events.filter((doc) => String(doc.trace_id).startsWith(`Root=1-${object}-`)).map((doc) => doc.trace_id);
    for (const object of [1, 2]) {
      expect(traces(object)).toEqual(Array.from({ length: 50 }, (_, i) => `Root=1-${object}-${i + 1}`));
    }
    expect(events.every((doc) => !Object.keys(doc).some((key) => key.startsWith('field_')))).toBe(true);
    expect(pipeline.deadLetters()).toEqual([]);
    expect(summaryOf(run.output)).toBe('sluice: cr-lines: 2 new object(s), 100 record(s), 100 event(s)');
  });

  it('dead-letters only the CloudTrail event that does not parse, with its record and index, and writes the rest of the file', async () => {
    const event = (name: string) =>
      JSON.stringify({ eventName: name, eventTime: '2024-01-31T10:00:00Z', requestParameters: { bucketName: name } });
    const deep = `{"eventName":"DEEP","requestParameters":${deeplyNested(5000)}}`;
    // One line, as AWS writes it (a document nested past the framing's 4,096 levels in a file of
    // many lines resynchronises at the next line that starts with `{`: json-splitter.ts).
    const file = (bad: string, name: string) => `{"Records":[${event(`${name}-1`)},${bad},${event(`${name}-3`)}]}\n`;
    const digest = '{"awsAccountId":"111122223333","digestStartTime":"2024-05-01T14:01:31Z","logFiles":[]}\n';
    const pipeline = new LocalPipeline({
      id: 'cloudtrail-events',
      parser: '{ type: cloudtrail }',
      files: {
        'deep.json.gz': gzipSync(file(deep, 'deep')),
        'repeated.json': file('{"eventName":"A","eventName":"B"}', 'repeated'),
        'scalar.json': file('"not an event"', 'scalar'),
        'empty.json': '{"Records":[]}\n',
        'digest.json': digest,
        'broken.json': '{"Records":[{"eventName":"cut',
      },
    });
    const run = await pipeline.runOnce();
    expect(run.code, run.output.slice(-2000)).toBe(0);

    const names = pipeline.events().map((doc) => doc.eventName as string);
    expect(names.sort()).toEqual(['deep-1', 'deep-3', 'repeated-1', 'repeated-3', 'scalar-1', 'scalar-3']);
    const entries = pipeline.deadLetters().sort((a, b) => a.key.localeCompare(b.key));
    expect(entries.map(({ key, record, sub, code }) => [key, record, sub, code])).toEqual([
      ['broken.json', 1, undefined, 'ERR_RECORD_PARSE'],
      ['deep.json.gz', 1, 1, 'ERR_RECORD_PARSE'],
      ['digest.json', 1, undefined, 'ERR_RECORD_PARSE'],
      ['repeated.json', 1, 1, 'ERR_RECORD_PARSE'],
      ['scalar.json', 1, 1, 'ERR_RECORD_PARSE'],
    ]);
    const [broken, deepEntry, digestEntry, repeated, scalar] = entries;
    expect(broken!.reason).toContain('cloudtrail: invalid JSON');
    expect(deepEntry!.reason).toContain('Records[1]: the event nests 5001 levels deep, more than max_depth (20)');
    expect(deepEntry!.raw).toBe(deep);
    expect(digestEntry!.reason).toContain('no "Records" array');
    expect(repeated!.reason).toContain('key "eventName" appears twice');
    expect(repeated!.raw).toBe('{"eventName":"A","eventName":"B"}');
    expect(scalar!.reason).toContain('Records[1] is not an object');
    expect(summaryOf(run.output)).toBe(
      'sluice: cloudtrail-events: 6 new object(s), 4 record(s), 6 event(s), 5 dead-lettered',
    );
  });
});
