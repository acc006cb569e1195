import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Framing } from '../../src/core/components.js';
import { RecordParseError } from '../../src/core/errors.js';
import { cloudfrontDefaultFields } from '../../src/parsers/cloudfront-parser.js';
import { frameRecords } from '../../src/parsers/framing/frame-records.js';
import { createParserFactory, type ParserConfig } from '../../src/parsers/index.js';
import { vpcFlowDefaultFields } from '../../src/parsers/vpc-flow-parser.js';
import { RecordLoop } from '../../src/pipeline/record-loop.js';
import { fixture, fixtureLines } from '../parsers/parse-helpers.js';
import { bentLine, hostileText, PROTOTYPE_NAMES } from './arbitraries.js';
import { check, checkAsync, expectNoPollution, expectPlainTree } from './fuzz-settings.js';
import { jsonDocument, render, spacing } from './json-model.js';

/** Real text bent at the character level: a slice replaced by hostile text, or cut. */
function bentText(samples: readonly string[]): fc.Arbitrary<string> {
  return fc
    .record({
      sample: fc.constantFrom(...samples),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), hostileText(8)), { maxLength: 4 }),
      cut: fc.option(fc.nat(), { freq: 4 }),
    })
    .map(({ sample, edits, cut }) => {
      let text = sample;
      for (const [at, remove, insert] of edits) {
        const start = at % (text.length + 1);
        text = text.slice(0, start) + insert + text.slice(start + remove);
      }
      return cut === null ? text : text.slice(0, cut % (text.length + 1));
    });
}

/** A header line naming real fields, prototype names and hostile names. */
function headerLine(prefix: string, known: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES, 'cs(__proto__)', '__proto__)', 'constructor-') },
    { weight: 1, arbitrary: hostileText(6).filter((text) => text.length > 0 && !/\s/.test(text)) },
  );
  return fc.array(name, { minLength: 1, maxLength: 40 }).map((names) => `${prefix}${names.join(' ')}`);
}

const minified = (name: string) => JSON.stringify(JSON.parse(fixture(name)));

interface Format {
  config: ParserConfig;
  lines: fc.Arbitrary<string>;
}

const jsonLines = (samples: string[]) =>
  fc.oneof(
    { weight: 2, arbitrary: bentText(samples) },
    { weight: 2, arbitrary: fc.tuple(jsonDocument(4), spacing).map(([doc, gaps]) => render(doc, gaps)) },
    { weight: 1, arbitrary: hostileText(200) },
  );

const spaced = (name: string) =>
  fc.oneof(
    { weight: 4, arbitrary: bentLine(fixtureLines(name), ' ') },
    { weight: 1, arbitrary: bentText(fixtureLines(name)) },
    { weight: 1, arbitrary: hostileText(200) },
  );

const FORMATS: Format[] = [
  { config: { type: 'alb' }, lines: spaced('alb-docs.log') },
  { config: { type: 'elb' }, lines: spaced('elb-docs.log') },
  { config: { type: 's3_access' }, lines: spaced('s3-access-docs.log') },
  {
    config: { type: 'vpc_flow' },
    lines: fc.oneof(
      { weight: 3, arbitrary: spaced('vpc-flow-custom.log') },
      { weight: 2, arbitrary: spaced('vpc-flow-default.log') },
      { weight: 1, arbitrary: headerLine('', ['version', 'srcaddr', 'action', ...vpcFlowDefaultFields]) },
    ),
  },
  {
    config: { type: 'cloudfront' },
    lines: fc.oneof(
      { weight: 4, arbitrary: bentLine(fixtureLines('cloudfront-docs.log').slice(2), '\t') },
      { weight: 2, arbitrary: headerLine('#Fields: ', cloudfrontDefaultFields) },
      { weight: 1, arbitrary: bentText(fixtureLines('cloudfront-docs.log')) },
      { weight: 1, arbitrary: hostileText(200) },
    ),
  },
  { config: { type: 'waf' }, lines: jsonLines(fixtureLines('waf-docs.log')) },
  { config: { type: 'json_lines', max_depth: 3 }, lines: jsonLines(fixtureLines('waf-docs.log')) },
  {
    config: { type: 'cloudtrail' },
    lines: fc.oneof(
      { weight: 3, arbitrary: bentText([minified('cloudtrail-docs.json'), minified('cloudtrail-digest.json')]) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.array(jsonDocument(3), { maxLength: 3 }), spacing)
          .map(([events, gaps]) => `{"Records":[${events.map((event) => render(event, gaps)).join(',')}]}`),
      },
      { weight: 1, arbitrary: hostileText(200) },
    ),
  },
  { config: { type: 'lines' }, lines: hostileText(200) },
];

/** Parses `lines` as one object does; throws unless each record became plain documents or a RecordParseError. */
function parseEach(config: ParserConfig, lines: readonly string[]): void {
  const parser = createParserFactory(config).forObject('AWSLogs/fuzz.log');
  lines.forEach((line, i) => {
    let docs: unknown;
    try {
      docs = parser.parse(line, i + 1);
    } catch (error) {
      if (!(error instanceof RecordParseError)) throw error;
      expect(error.context.record).toBe(i + 1);
      return;
    }
    expect(Array.isArray(docs)).toBe(true);
    for (const doc of docs as unknown[]) {
      expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc)).toBe(true);
      expectPlainTree(doc);
      expect(() => JSON.stringify(doc)).not.toThrow();
    }
  });
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('every parser on hostile lines (fuzz)', () => {
  afterAll(() => expectNoPollution());

  it.each(FORMATS.map((format) => [format.config.type, format] as const))(
    'returns plain documents or a RecordParseError when %s parses any line',
    (_type, format) => {
      check(
        fc.property(fc.array(format.lines, { minLength: 1, maxLength: 8 }), (lines) => parseEach(format.config, lines)),
        300,
      );
    },
  );

  it.each(FORMATS.map((format) => [format.config.type, format] as const))(
    'parses a 256 KB line of any repeated piece quickly when %s reads it',
    (_type, format) => {
      check(
        fc.property(format.lines, hostileText(12), (start, piece) => {
          const unit = piece === '' ? '"' : piece;
          const line = start + unit.repeat(Math.ceil(262_144 / unit.length));
          const began = performance.now();
          parseEach(format.config, [line]);
          // Linear work takes a few milliseconds; a backtracking regex or a quadratic scan takes seconds.
          expect(performance.now() - began).toBeLessThan(2_000);
        }),
        12,
      );
    },
  );
});

/** `bytes` cut into chunks at `cuts`, as a stream would deliver them. */
function chunks(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const point of [...points, bytes.length]) {
    if (point > last) out.push(Buffer.from(bytes.subarray(last, point)));
    last = point;
  }
  return out;
}

/** Bytes biased to what framing looks for: line ends, braces, quotes, escapes, a byte order mark, invalid UTF-8. */
const hostileBytes = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 16 }),
      fc.constantFrom(
        ...['\n', '\r', '\r\n', '{', '}', '[', ']', '"', '\\', ' ', '\t', '{"a":1}', '\ufeff', '#Fields: a b'].map(
          (text) => Buffer.from(text),
        ),
        Buffer.from([0xef, 0xbb]),
        Buffer.from([0xc3]),
        Buffer.from([0xff, 0xfe]),
        Buffer.from([0xed, 0xa0, 0x80]),
      ),
      fc
        .constantFrom(...fixtureLines('alb-docs.log'), ...fixtureLines('waf-docs.log'))
        .map((line) => Buffer.from(line)),
    ),
    { maxLength: 24 },
  )
  .map((parts) => new Uint8Array(Buffer.concat(parts)));

async function frameAll(bytes: Buffer[], framing: Framing, maxRecordBytes: number) {
  const out: { records: string[]; numbers: number[]; oversized: number[]; invalid: number[] } = {
    records: [],
    numbers: [],
    oversized: [],
    invalid: [],
  };
  for await (const batch of frameRecords(Readable.from(bytes), framing, { maxRecordBytes, batchRecords: 3 })) {
    out.records.push(...batch.records);
    out.numbers.push(...batch.recordNumbers);
    out.oversized.push(...batch.oversized.map((o) => o.record));
    out.invalid.push(...batch.invalidUtf8);
  }
  return out;
}

describe('framing and the record loop on hostile bytes (fuzz)', () => {
  afterAll(() => expectNoPollution());

  it.each(['lines', 'json'] as const)(
    'cuts the same records whatever the chunking when %s framing reads any bytes',
    async (framing) => {
      await checkAsync(
        fc.asyncProperty(
          hostileBytes,
          fc.array(fc.nat(), { maxLength: 8 }),
          fc.constantFrom(8, 64, 4096),
          async (bytes, cuts, max) => {
            const whole = await frameAll([Buffer.from(bytes)], framing, max);
            const cut = await frameAll(chunks(bytes, cuts), framing, max);
            expect(cut).toEqual(whole);
            const numbers = [...whole.numbers, ...whole.oversized];
            expect(new Set(numbers).size, 'every record number once').toBe(numbers.length);
          },
        ),
        300,
      );
    },
  );

  it.each(FORMATS.map((format) => [format.config.type, format] as const))(
    'turns every record into events or one dead-letter entry when %s reads any bytes through the record loop',
    async (_type, format) => {
      await checkAsync(
        fc.asyncProperty(
          fc.oneof(
            hostileBytes,
            fc.array(format.lines, { maxLength: 6 }).map((lines) => new Uint8Array(Buffer.from(lines.join('\n')))),
          ),
          fc.array(fc.nat(), { maxLength: 4 }),
          fc.constantFrom(16, 4096),
          async (bytes, cuts, maxRecordBytes) => {
            const factory = createParserFactory(format.config);
            const loop = new RecordLoop({
              parser: factory,
              filters: [],
              object: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', lastModified: 0 },
              resumeAfter: 0,
              maxRecordBytes,
            });
            for await (const batch of frameRecords(Readable.from(chunks(bytes, cuts)), factory.framing, loop.framing)) {
              const result = loop.run(batch);
              if (result === null) continue;
              // A failure with a sub is one event of a record that parsed (its other events go on).
              const whole = result.failures.filter((failure) => failure.sub === undefined);
              expect(result.read).toBe(result.records + whole.length);
              const emitted = new Set(result.events.map((event) => `${event.origin.record}/${event.origin.sub}`));
              for (const failure of result.failures) {
                if (failure.sub !== undefined) expect(emitted.has(`${failure.record}/${failure.sub}`)).toBe(false);
              }
              for (const failure of result.failures) {
                expect(['ERR_RECORD_PARSE', 'ERR_RECORD_TOO_LARGE']).toContain(failure.code);
                expect(failure.record).toBeGreaterThanOrEqual(batch.firstRecord);
                expect(failure.record).toBeLessThanOrEqual(batch.lastRecord);
              }
              for (const event of result.events) expectPlainTree(event.doc);
            }
          },
        ),
        150,
      );
    },
  );
});
