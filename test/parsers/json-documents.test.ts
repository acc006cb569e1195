import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DeadLetterEntry } from '../../src/core/components.js';
import type { Doc } from '../../src/core/event.js';
import { frameRecords } from '../../src/parsers/framing/frame-records.js';
import { createParserFactory, type ParserConfig } from '../../src/parsers/index.js';
import { RecordLoop } from '../../src/pipeline/record-loop.js';
import { fixture } from './parse-helpers.js';

interface Outcome {
  events: { record: number; sub: number; doc: Doc }[];
  failures: DeadLetterEntry[];
}

/** The object's bytes, in chunks of `chunkBytes`, through the worker's framing and record loop. */
async function run(
  config: ParserConfig,
  body: string | Buffer,
  options: { chunkBytes?: number; resumeAfter?: number; maxRecordBytes?: number } = {},
): Promise<Outcome> {
  const parser = createParserFactory(config);
  const loop = new RecordLoop({
    parser,
    filters: [],
    object: { pipeline: 'p', bucket: 'b', key: 'AWSLogs/o.log', etag: 'e', lastModified: 0 },
    resumeAfter: options.resumeAfter ?? 0,
    maxRecordBytes: options.maxRecordBytes ?? 64 * 1024,
  });
  const bytes = Buffer.from(body);
  const size = options.chunkBytes ?? bytes.length;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const outcome: Outcome = { events: [], failures: [] };
  for await (const batch of frameRecords(Readable.from(chunks), parser.framing, loop.framing)) {
    const result = loop.run(batch);
    if (result === null) continue;
    for (const event of result.events) {
      outcome.events.push({ record: event.origin.record, sub: event.origin.sub, doc: event.doc });
    }
    outcome.failures.push(...result.failures);
  }
  return outcome;
}

const WAF = { type: 'waf' } as const;
const JSON_LINES = { type: 'json_lines' } as const;
const example = fixture('waf-aws-example.json');
const verbatim = fixture('waf-aws-example-verbatim.json');
/** 80: the example ends with a newline. */
const exampleLines = example.split('\n').length - 1;

describe('JSON documents through the framing and the record loop', () => {
  it('emits one event when the object is AWS documented WAF example, pretty-printed', async () => {
    const { events, failures } = await run(WAF, example);
    expect(failures).toEqual([]);
    expect(events).toEqual([{ record: 1, sub: 0, doc: JSON.parse(example) }]);
    expect(events[0]!.doc).toMatchObject({ action: 'BLOCK', httpRequest: { country: 'FR' } });
  });

  it.each([
    ['on the next line', '\n', [1, 81, 161]],
    ['with no separator', '', [1, 80, 159]],
    ['separated by spaces, tabs and CRLF', ' \t\r\n\r\n  ', [1, 82, 163]],
  ])(
    'emits one event per document when pretty-printed documents are concatenated %s',
    async (_name, separator, records) => {
      const body = `${example.trimEnd()}${separator}${example.trimEnd()}${separator}${example}`;
      const { events, failures } = await run(WAF, body);
      expect(failures).toEqual([]);
      expect(events.map((e) => e.doc)).toEqual([JSON.parse(example), JSON.parse(example), JSON.parse(example)]);
      // Numbered by the line each document starts on, or the next free number when two share one.
      expect(events.map((e) => e.record)).toEqual(records);
    },
  );

  it('emits one event per document when documents are concatenated on one line', async () => {
    const body = '{"a":1}{"b":[2]} {"c":{"d":3}}\n{"e":4}\n';
    const { events, failures } = await run(JSON_LINES, body);
    expect(failures).toEqual([]);
    expect(events.map((e) => [e.record, e.doc])).toEqual([
      [1, { a: 1 }],
      [2, { b: [2] }],
      [3, { c: { d: 3 } }],
      [4, { e: 4 }],
    ]);
  });

  it('never emits a fragment: the verbatim documented example (with its "..." placeholders) is one dead-letter entry per document', async () => {
    const { events, failures } = await run(WAF, `${verbatim}${verbatim}`);
    expect(events).toEqual([]);
    expect(failures.map((f) => [f.record, f.code])).toEqual([
      [1, 'ERR_RECORD_PARSE'],
      [exampleLines + 1, 'ERR_RECORD_PARSE'],
    ]);
    expect(failures[0]!.raw).toBe(verbatim.trimEnd());
  });

  it('dead-letters a broken document once and finds the next one when a pretty-printed document breaks in the middle', async () => {
    const broken = example.replace('"uri":"/CanaryTest",', '"uri":"/CanaryTest" "oops",');
    const { events, failures } = await run(WAF, `${example}${broken}${example}`);
    expect(failures.map((f) => f.record)).toEqual([exampleLines + 1]);
    expect(failures[0]!.raw).toBe(broken.trimEnd());
    expect(events.map((e) => e.record)).toEqual([1, 2 * exampleLines + 1]);
  });

  it.each([
    ['truncated inside a string', '{"a":1,"b":"tru'],
    ['truncated after a value', '{"a":1,"b":12'],
    ['truncated where a value is due', '{"a":1,"b":[1,'],
    ['garbage', 'not json at all'],
  ])('dead-letters a line %s once and keeps the lines after it', async (_name, bad) => {
    const body = `{"n":1}\n${bad}\n{"n":3}\n{"n":4}\n`;
    const { events, failures } = await run(JSON_LINES, body);
    expect(failures.map((f) => [f.record, f.raw])).toEqual([[2, bad]]);
    expect(events.map((e) => [e.record, e.doc.n])).toEqual([
      [1, 1],
      [3, 3],
      [4, 4],
    ]);
  });

  it('keeps the line numbers as record numbers when the object is NDJSON with empty lines, CRLF and no final newline', async () => {
    const docs = [1, 2, 3, 4].map((n) => JSON.stringify({ ...JSON.parse(example), timestamp: n }));
    const body = `${docs[0]}\r\n\r\n${docs[1]}\r\n${docs[2]}\n\n\n${docs[3]}`;
    const { events, failures } = await run(WAF, body);
    expect(failures).toEqual([]);
    expect(events.map((e) => [e.record, e.doc.timestamp])).toEqual([
      [1, 1],
      [3, 2],
      [4, 3],
      [7, 4],
    ]);
  });

  it.each([1, 2, 7, 64, 1000])(
    'finds the same documents when the stream arrives in chunks of %i bytes',
    async (size) => {
      const body = `${JSON.stringify(JSON.parse(example))}\n${example}{"x":"}{\\"]["}${example.trimEnd()}`;
      const whole = await run(WAF, body);
      expect(whole.failures).toEqual([]);
      expect(whole.events).toHaveLength(4);
      expect(await run(WAF, body, { chunkBytes: size })).toEqual(whole);
    },
  );

  it('cuts documents by structure, not by the braces, brackets and escaped quotes inside strings', async () => {
    const tricky = { uri: '/a{b}c', args: 'x=]"[', quote: 'say \\"}{\\"', slash: 'ends with \\', nested: ['{', '}'] };
    const pretty = JSON.stringify(tricky, null, 2);
    const { events, failures } = await run(JSON_LINES, `${pretty}\n${JSON.stringify(tricky)}${pretty}\n`);
    expect(failures).toEqual([]);
    expect(events.map((e) => e.doc)).toEqual([tricky, tricky, tricky]);
  });

  it('dead-letters a record that repeats a key with another value, naming the key, when a value could be smuggled', async () => {
    const body = '{"action":"ALLOW","n":1,"action":"BLOCK"}\n{"httpRequest":{"uri":"/a","uri":"/b"}}\n{"ok":1}\n';
    const { events, failures } = await run(WAF, body);
    expect(events.map((e) => e.doc)).toEqual([{ ok: 1 }]);
    expect(failures.map((f) => f.record)).toEqual([1, 2]);
    expect(failures[0]!.code).toBe('ERR_RECORD_PARSE');
    expect(failures[0]!.reason).toMatch(/key "action" appears twice/);
    expect(failures[1]!.reason).toMatch(/key "uri" appears twice/);
  });

  it('keeps numbers a double cannot hold as their text, tagged, when a record has them', async () => {
    const body = '{"id":12345678901234567890,"big":1e400,"neg":-1e400,"tiny":1e-400,"ms":1683355579981,"f":0.1}\n';
    const { events, failures } = await run(JSON_LINES, body);
    expect(failures).toEqual([]);
    expect(events.map((e) => e.doc)).toEqual([
      {
        id: '12345678901234567890',
        big: '1e400',
        neg: '-1e400',
        tiny: '1e-400',
        ms: 1683355579981,
        f: 0.1,
        tags: ['_json_number_as_text'],
      },
    ]);
  });

  it('dead-letters a document nested 5,000 levels deep instead of emitting it', async () => {
    const deep = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const { events, failures } = await run(JSON_LINES, `${deep}\n{"ok":1}\n`);
    expect(events.map((e) => e.doc)).toEqual([{ ok: 1 }]);
    expect(failures.map((f) => [f.record, f.code])).toEqual([[1, 'ERR_RECORD_PARSE']]);
    expect(failures[0]!.reason).toMatch(/nests 5001 levels deep, more than max_depth \(20\)/);
  });

  it('emits every CloudTrail record when the file is one pretty-printed or minified document', async () => {
    const file = fixture('cloudtrail-docs.json');
    for (const body of [file, JSON.stringify(JSON.parse(file)), JSON.stringify(JSON.parse(file), null, 2)]) {
      const { events, failures } = await run({ type: 'cloudtrail' }, body);
      expect(failures).toEqual([]);
      expect(events.map((e) => [e.record, e.sub, e.doc.eventName])).toEqual([
        [1, 0, 'StartInstances'],
        [1, 1, 'StopInstances'],
      ]);
    }
  });

  it('dead-letters a CloudTrail digest file once, as a file without Records', async () => {
    const { events, failures } = await run({ type: 'cloudtrail' }, fixture('cloudtrail-digest.json'));
    expect(events).toEqual([]);
    expect(failures.map((f) => [f.record, f.code])).toEqual([[1, 'ERR_RECORD_PARSE']]);
    expect(failures[0]!.reason).toMatch(/no "Records" array/);
  });
});
