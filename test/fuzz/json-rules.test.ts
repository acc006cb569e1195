import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParserFactory } from '../../src/core/components.js';
import { PartialRecordError, RecordParseError } from '../../src/core/errors.js';
import type { Doc } from '../../src/core/event.js';
import { cloudtrailParserFactory } from '../../src/parsers/cloudtrail-parser.js';
import { frameRecords } from '../../src/parsers/framing/frame-records.js';
import { NUMBER_AS_TEXT_TAG } from '../../src/parsers/json/parse-json-document.js';
import { jsonLinesParserFactory } from '../../src/parsers/json-object-parser.js';
import { checkAsync, expectNoPollution, expectPlainTree } from './fuzz-settings.js';
import {
  conflictingKey,
  depthOf,
  expectedValue,
  type JsonNode,
  jsonDocument,
  nestedDocument,
  render,
  spacing,
} from './json-model.js';

/** The one record the `json` framing cuts from `text`, with its hint. */
async function frameOne(text: string): Promise<{ record: string; number: number; hint: number | undefined }> {
  const records: Array<{ record: string; number: number; hint: number | undefined }> = [];
  for await (const batch of frameRecords(Readable.from([Buffer.from(`${text}\n`)]), 'json', {
    maxRecordBytes: 1 << 20,
  })) {
    expect(batch.oversized).toEqual([]);
    batch.records.forEach((record, i) => {
      records.push({ record, number: batch.recordNumbers[i]!, hint: batch.hints?.[i] });
    });
  }
  expect(records, 'one document is one record').toHaveLength(1);
  return records[0]!;
}

type Outcome = { docs: Doc[] } | { error: unknown };

function parse(factory: ParserFactory, framed: { record: string; number: number; hint: number | undefined }): Outcome {
  try {
    return { docs: factory.forObject('k').parse(framed.record, framed.number, framed.hint) };
  } catch (error) {
    return { error };
  }
}

/** The document without the tag the parser adds, as text (JSON.stringify keeps an own `__proto__` key). */
function untagged(doc: Doc): string {
  const copy: Doc = {};
  for (const key of Object.keys(doc)) {
    if (key !== 'tags') Object.defineProperty(copy, key, { value: doc[key], enumerable: true });
  }
  return JSON.stringify(copy);
}

/** What the rules say about events `events` under `maxDepth`, checked against `outcome`. */
function expectRules(events: JsonNode[], maxDepth: number, outcome: Outcome, wrapped: JsonNode): void {
  const depth = Math.max(0, ...events.map(depthOf));
  const conflict = conflictingKey(wrapped);
  if (depth > maxDepth) {
    expect('error' in outcome && outcome.error).toBeInstanceOf(RecordParseError);
    expect(String((outcome as { error: Error }).error.message)).toContain(`nests ${depth} levels deep`);
    return;
  }
  if (conflict !== undefined) {
    expect('error' in outcome && outcome.error).toBeInstanceOf(RecordParseError);
    const error = (outcome as { error: RecordParseError }).error;
    expect(error.message).toContain('appears twice in one object with different values');
    expect(error.context.field).toBe(conflict.slice(0, 100));
    return;
  }
  if ('error' in outcome) throw outcome.error;
  expect(outcome.docs).toHaveLength(events.length);
  outcome.docs.forEach((doc, i) => {
    expectPlainTree(doc);
    const expected = expectedValue(events[i]!);
    expect(untagged(doc)).toBe(JSON.stringify(expected.value));
    const tags = Array.isArray(doc.tags) ? doc.tags : [];
    expect(tags.includes(NUMBER_AS_TEXT_TAG), 'tagged exactly when a number was kept as text').toBe(expected.kept);
  });
}

/** `{"Records": events}` as a model node. */
function recordsDocument(events: JsonNode[]): JsonNode {
  return { kind: 'object', entries: [{ key: 'Records', text: '"Records"', value: { kind: 'array', items: events } }] };
}

/**
 * The rules for a CloudTrail file: each event is refused alone (too deep, a repeated key) and
 * the others are emitted, each under its index in Records (PartialRecordError's subs).
 */
function expectEventRules(events: JsonNode[], maxDepth: number, outcome: Outcome): void {
  const refused = events.map((event) => depthOf(event) > maxDepth || conflictingKey(event) !== undefined);
  if (!refused.includes(true)) {
    expectRules(events, maxDepth, outcome, recordsDocument(events));
    return;
  }
  expect('error' in outcome && outcome.error).toBeInstanceOf(PartialRecordError);
  const error = (outcome as { error: PartialRecordError }).error;
  const indexes = events.map((_, i) => i);
  expect(error.subs).toEqual(indexes.filter((i) => !refused[i]));
  expect(error.failed.map((failed) => failed.sub)).toEqual(indexes.filter((i) => refused[i]));
  for (const failed of error.failed) {
    const event = events[failed.sub]!;
    const depth = depthOf(event);
    expect(failed.reason).toContain(
      depth > maxDepth ? `Records[${failed.sub}]: the event nests ${depth} levels deep` : 'appears twice in one object',
    );
    expect(JSON.parse(failed.raw)).toBeTypeOf('object');
  }
  const kept = indexes.filter((i) => !refused[i]).map((i) => events[i]!);
  expectRules(kept, maxDepth, { docs: error.docs }, recordsDocument(kept));
}

describe('the JSON parsers on generated documents (fuzz)', () => {
  afterAll(() => expectNoPollution());

  it('refuses depth and repeated keys and keeps every number exactly when json_lines reads any document', async () => {
    await checkAsync(
      fc.asyncProperty(jsonDocument(7), spacing, fc.integer({ min: 1, max: 8 }), async (doc, gaps, maxDepth) => {
        const framed = await frameOne(render(doc, gaps));
        expectRules([doc], maxDepth, parse(jsonLinesParserFactory({ maxDepth }), framed), doc);
      }),
      400,
    );
  });

  it('counts max_depth inside each event and refuses only the events that break a rule when cloudtrail reads a Records document', async () => {
    await checkAsync(
      fc.asyncProperty(
        fc.array(jsonDocument(5), { maxLength: 4 }),
        spacing,
        fc.integer({ min: 1, max: 6 }),
        async (events, gaps, maxDepth) => {
          const framed = await frameOne(render(recordsDocument(events), gaps));
          expectEventRules(events, maxDepth, parse(cloudtrailParserFactory({ maxDepth }), framed));
        },
      ),
      200,
    );
  });

  it('refuses a document one level past max_depth and keeps one at it when the nesting is a deep chain', async () => {
    await checkAsync(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), spacing, async (maxDepth, gaps) => {
        for (const levels of [maxDepth, maxDepth + 1]) {
          const doc = nestedDocument(levels);
          expect(depthOf(doc)).toBe(levels);
          const framed = await frameOne(render(doc, gaps));
          expectRules([doc], maxDepth, parse(jsonLinesParserFactory({ maxDepth }), framed), doc);
        }
      }),
      60,
    );
  });
});
