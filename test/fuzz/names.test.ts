import { sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/event.js';
import { compileFilePath, fixedDirectory, isInside, MAX_PATH_VALUE_BYTES } from '../../src/outputs/file-path.js';
import { compileIndexName, MAX_INDEX_NAME_BYTES, sanitizeIndexName } from '../../src/outputs/opensearch/index-name.js';
import { codeUnit, hostileText } from './arbitraries.js';
import { check, expectNoPollution } from './fuzz-settings.js';

const origin = { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified: 1_700_000_000_000 };
const event = (doc: Record<string, unknown>): LogEvent => ({ doc, origin });

/** A field value from the log: any text, any scalar, an object, or nothing. */
const fieldValue = fc.oneof(
  { weight: 4, arbitrary: hostileText(120) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 400 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '.kibana',
      '..',
      '.',
      '-x',
      '_x',
      '+x',
      '.opendistro-security',
      '../../../../tmp/x',
      '/etc/passwd',
      '\\\\server\\share',
      'İ'.repeat(150),
      'ß'.repeat(150),
      '😀'.repeat(80),
      `a${'\ud83d'.repeat(100)}`,
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.bigInt()) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.constant(undefined), fc.dictionary(fc.string(), fc.string()), fc.array(fc.string())),
  },
);

/** `@timestamp` as logs hold it, sensible or not. */
const timestamp = fc.oneof(
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'not a date' : d.toISOString())),
  fc.double(),
  fc.constantFrom(undefined, '', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', 8.64e15, -8.64e15, 1e20),
);

function docOf(tenant: unknown, other: unknown, time: unknown): Record<string, unknown> {
  const doc: Record<string, unknown> = { tenant, other, a: { b: other } };
  if (time !== undefined) doc['@timestamp'] = time;
  return doc;
}

/** What OpenSearch's MetadataCreateIndexService refuses in an index name, and what sluice adds (docs/GUARANTEES.md). */
function problemOf(name: string, hiddenAllowed: boolean): string | undefined {
  if (name === '') return 'empty';
  if (/[\\/*?"<>| ,#:]/.test(name)) return 'a forbidden character';
  if (/^[_\-+]/.test(name)) return 'a leading _ - +';
  if (name === '.' || name === '..') return '. or ..';
  if (Buffer.byteLength(name) > MAX_INDEX_NAME_BYTES) return 'over 255 bytes';
  if (name.toLowerCase() !== name) return 'not lowercase';
  if (/\p{Cs}/u.test(name)) return 'a lone surrogate';
  if (/[\p{Cc}\p{Cf}]/u.test(name)) return 'a control or format character';
  if (!hiddenAllowed && name.startsWith('.')) return 'hidden (a leading .) though the pattern does not start with one';
  return undefined;
}

const INDEX_PATTERNS = [
  '%{[tenant]}',
  '%{[tenant]}%{[other]}',
  '%{[tenant]}-%{+YYYY.MM.dd}',
  'alb-%{[tenant]}-%{+YYYY.MM.dd}',
  '%{+YYYY.MM.dd}-%{[tenant]}',
  '%{+xxxx.ww}%{[tenant]}',
  '_%{[tenant]}',
  '-+%{[a][b]}',
  '.user-%{[tenant]}',
  'ALB Logs/%{[tenant]}:%{[other]}',
  `${'x'.repeat(250)}%{[tenant]}`,
];

describe('index names from hostile field values (fuzz)', () => {
  afterAll(() => expectNoPollution());

  it('is always a name OpenSearch accepts, never hidden by data, and the same for the same event', () => {
    check(
      fc.property(
        fc.constantFrom(...INDEX_PATTERNS),
        fieldValue,
        fieldValue,
        timestamp,
        (pattern, tenant, other, time) => {
          const doc = docOf(tenant, other, time);
          const name = compileIndexName(pattern)(event(doc));
          const problem = problemOf(name, pattern.startsWith('.'));
          expect(problem, `${JSON.stringify(name)} from ${pattern}`).toBeUndefined();
          expect(compileIndexName(pattern)(event(docOf(tenant, other, time))), 'a replay picks the same index').toBe(
            name,
          );
        },
      ),
      2_000,
    );
  });

  it('makes any string a valid index name with sanitizeIndexName', () => {
    check(
      fc.property(fc.oneof(hostileText(400), fc.string({ unit: codeUnit, maxLength: 600 })), (text) => {
        const name = sanitizeIndexName(text);
        expect(problemOf(name, true), JSON.stringify(name)).toBeUndefined();
        expect(sanitizeIndexName(name), 'sanitizing twice is once').toBe(name);
      }),
      1_000,
    );
  });

  it('takes linear time when a field holds a megabyte', () => {
    check(
      fc.property(hostileText(8), fc.constantFrom(...INDEX_PATTERNS), (piece, pattern) => {
        const unit = piece === '' ? 'İ' : piece;
        const huge = unit.repeat(Math.ceil(1_048_576 / unit.length));
        const began = performance.now();
        const name = compileIndexName(pattern)(event(docOf(huge, huge, undefined)));
        sanitizeIndexName(huge);
        // A few milliseconds when linear; the quadratic cut this replaced took about 50 s per megabyte.
        expect(performance.now() - began).toBeLessThan(3_000);
        expect(problemOf(name, pattern.startsWith('.'))).toBeUndefined();
      }),
      10,
    );
  });
});

const BASE_DIR = '/srv/sluice/config';

const PATH_PATTERNS = [
  'out/%{[tenant]}.ndjson',
  'out/%{[tenant]}/%{[other]}/alb.ndjson',
  'out/alb-%{+YYYY-MM-dd}-%{[tenant]}%{[other]}.log',
  '/var/log/sluice/%{[a][b]}',
  'out/%{+YYYY}/%{[tenant]}',
  'out/x%{[tenant]}/../%{[other]}',
  // Patterns that climb out on their own text: whatever the values, nothing may land outside.
  'out/%{[tenant]}/../../escape-%{[other]}',
  'out/%{[tenant]}/../../../../../../tmp/%{[other]}',
];

describe('file output paths from hostile field values (fuzz)', () => {
  afterAll(() => expectNoPollution());

  it('stays inside the fixed directory or is refused, and every inserted piece is a plain name', () => {
    check(
      fc.property(
        fc.constantFrom(...PATH_PATTERNS),
        fieldValue,
        fieldValue,
        timestamp,
        (pattern, tenant, other, time) => {
          const target = compileFilePath(pattern, BASE_DIR)(event(docOf(tenant, other, time)));
          const directory = fixedDirectory(pattern, BASE_DIR);
          if ('refused' in target) {
            // Only a pattern that climbs out on its own text is ever refused.
            expect(pattern).toContain('../..');
            return;
          }
          expect(isInside(directory, target.path), `${target.path} lies inside ${directory}`).toBe(true);
          const rest = target.path.slice(directory.length + 1).split(sep);
          for (const piece of rest) {
            expect(piece).not.toBe('');
            expect(piece).not.toBe('.');
            expect(piece).not.toBe('..');
            expect(/\p{Cs}/u.test(piece)).toBe(false);
            expect(/[\p{Cc}\p{Cf}\\]/u.test(piece), JSON.stringify(piece)).toBe(false);
            // Two values and the pattern's own text fit a file system's 255-byte name.
            expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(2 * MAX_PATH_VALUE_BYTES + 30);
          }
        },
      ),
      2_000,
    );
  });
});
