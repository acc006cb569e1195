import { describe, expect, it } from 'vitest';
import type { ParserFactory } from '../../src/core/components.js';
import { RecordParseError } from '../../src/core/errors.js';
import { albConnectionFields, albConnectionParserFactory } from '../../src/parsers/alb-connection-parser.js';
import { albFields, albParserFactory } from '../../src/parsers/alb-parser.js';
import { cloudfrontParserFactory } from '../../src/parsers/cloudfront-parser.js';
import { elbFields, elbParserFactory } from '../../src/parsers/elb-parser.js';
import { nlbFields, nlbParserFactory } from '../../src/parsers/nlb-parser.js';
import { s3AccessFields, s3AccessParserFactory } from '../../src/parsers/s3-access-parser.js';
import { MAX_HEADER_FIELDS } from '../../src/parsers/text/field-name.js';
import { MAX_APPENDED_FIELDS } from '../../src/parsers/text/map-tokens.js';
import { splitPlainLine, tokenizeLine } from '../../src/parsers/text/tokenize-line.js';
import { vpcFlowParserFactory } from '../../src/parsers/vpc-flow-parser.js';
import { fixtureLines, parseAll, parseOne } from './parse-helpers.js';

/** A fixture line padded with `-` to exactly the known fields, so appended ones start right after. */
function fullLine(fixture: string, known: number, syntax: 'quoted' | 'brackets' | 'plain' = 'quoted'): string {
  const line = fixtureLines(fixture)[0]!;
  const count = syntax === 'plain' ? splitPlainLine(line, []) : tokenizeLine(line, [], syntax === 'brackets');
  return `${line}${' -'.repeat(known - count)}`;
}

const appended = (n: number) => Array.from({ length: n }, (_, i) => ` x${i}`).join('');

const positional: [string, ParserFactory, string, number][] = [
  ['alb', albParserFactory(), fullLine('alb-docs.log', albFields.length), albFields.length],
  [
    'alb_connection',
    albConnectionParserFactory(),
    fullLine('alb-connection-docs.log', albConnectionFields.length),
    albConnectionFields.length,
  ],
  ['elb', elbParserFactory(), fullLine('elb-docs.log', elbFields.length), elbFields.length],
  ['nlb', nlbParserFactory(), fullLine('nlb-docs.log', nlbFields.length, 'plain'), nlbFields.length],
  [
    's3_access',
    s3AccessParserFactory(),
    fullLine('s3-access-docs.log', s3AccessFields.length, 'brackets'),
    s3AccessFields.length,
  ],
];

describe('appended fields of the positional parsers', () => {
  it.each(positional)('%s keeps up to the cap of appended fields as field_<n>', (_type, factory, line, known) => {
    const doc = parseOne(factory, `${line}${appended(MAX_APPENDED_FIELDS)}`);
    expect(doc[`field_${known + 1}`]).toBe('x0');
    expect(doc[`field_${known + MAX_APPENDED_FIELDS}`]).toBe(`x${MAX_APPENDED_FIELDS - 1}`);
    expect(doc[`field_${known + MAX_APPENDED_FIELDS + 1}`]).toBeUndefined();
  });

  it.each(positional)(
    '%s refuses a line with one field past the cap, naming the count',
    (type, factory, line, known) => {
      const count = known + MAX_APPENDED_FIELDS + 1;
      expect(() => parseOne(factory, `${line}${appended(MAX_APPENDED_FIELDS + 1)}`)).toThrow(RecordParseError);
      expect(() => parseOne(factory, `${line}${appended(MAX_APPENDED_FIELDS + 1)}`)).toThrow(
        new RegExp(`^${type}: line has ${count} fields`),
      );
    },
  );

  it('refuses 50 ALB records glued into one line by CR-only line endings, naming the token count', () => {
    // The 2024 layout ends with an unquoted conn_trace_id, so a CR joins it to the next record's type.
    const record = fixtureLines('alb-docs.log')[0]!.replace(/ "-" "-" "-"$/, '');
    expect(tokenizeLine(record, [])).toBe(30);
    const glued = Array(50).fill(record).join('\r');
    let error: unknown;
    try {
      parseOne(albParserFactory(), glued);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RecordParseError);
    expect((error as Error).message).toMatch(/^alb: line has 1451 fields, more than the 33 known/);
    expect((error as RecordParseError).context).toMatchObject({ key: 'k', record: 1, fields: 1451 });
  });
});

describe('cloudfront parser columns', () => {
  it('refuses a line with more values past its header than the cap of appended fields', () => {
    const line = ['2024-01-01', '00:00:00', ...Array.from({ length: MAX_APPENDED_FIELDS + 1 }, (_, i) => `x${i}`)];
    expect(() => parseAll(cloudfrontParserFactory(), ['#Fields: date time', line.join('\t')])).toThrow(
      new RegExp(`cloudfront: line has ${line.length} fields, more than the 2 known`),
    );
    const fits = parseAll(cloudfrontParserFactory(), ['#Fields: date time', line.slice(0, -1).join('\t')]);
    expect(fits[0]![`field_${2 + MAX_APPENDED_FIELDS}`]).toBe(`x${MAX_APPENDED_FIELDS - 1}`);
  });

  it('refuses a #Fields header that names more columns than any CloudFront log has', () => {
    const names = Array.from({ length: MAX_HEADER_FIELDS + 1 }, (_, i) => `x-col-${i}`);
    expect(() => parseAll(cloudfrontParserFactory(), [`#Fields: ${names.join(' ')}`])).toThrow(
      new RegExp(`cloudfront: #Fields: header names ${names.length} fields, at most ${MAX_HEADER_FIELDS}`),
    );
  });
});

describe('vpc_flow parser header', () => {
  it('refuses a header line that names more fields than any flow log format has', () => {
    const names = ['version', ...Array.from({ length: MAX_HEADER_FIELDS }, (_, i) => `custom-${i}`)];
    expect(() => parseAll(vpcFlowParserFactory(), [names.join(' ')])).toThrow(
      new RegExp(`vpc_flow: header names ${names.length} fields, at most ${MAX_HEADER_FIELDS}`),
    );
  });
});
