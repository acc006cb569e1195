import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import { cloudtrailParserFactory } from '../../src/parsers/cloudtrail-parser.js';
import { jsonLinesParserFactory, wafParserFactory } from '../../src/parsers/json-object-parser.js';
import { linesParserFactory } from '../../src/parsers/lines-parser.js';
import { fixture, fixtureLines, parseAll } from './parse-helpers.js';

describe('waf parser', () => {
  it('keeps AWS structure and names, header arrays included, when lines are WAF logs', () => {
    const docs = parseAll(wafParserFactory(), fixtureLines('waf-docs.log'));
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({
      timestamp: 1576280412771,
      action: 'BLOCK',
      httpSourceName: '-',
      terminatingRuleMatchDetails: [{ conditionType: 'SQL_INJECTION', matchedData: ['10', 'AND', '1'] }],
      httpRequest: {
        clientIp: '1.1.1.1',
        headers: [
          { name: 'Host', value: 'localhost:1989' },
          { name: 'User-Agent', value: 'curl/7.61.1' },
          { name: 'Accept', value: '*/*' },
          { name: 'x-stm-test', value: '10 AND 1=1' },
        ],
      },
    });
    expect((docs[1]!.httpRequest as { headers: unknown[] }).headers).toHaveLength(3);
    expect(docs[1]!.ruleGroupList).toEqual([
      {
        ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet',
        terminatingRule: null,
        nonTerminatingMatchingRules: [],
        excludedRules: null,
        customerConfig: null,
      },
    ]);
  });

  it.each([
    ['truncated JSON', '{"timestamp":1', /waf: invalid JSON/],
    ['a JSON array', '[1,2]', /not an object/],
    ['a JSON string', '"text"', /not an object/],
    ['null', 'null', /not an object/],
  ])('throws RecordParseError when the line is %s', (_name, line, reason) => {
    expect(() => wafParserFactory().forObject('k').parse(line, 4)).toThrow(reason);
    expect(() => wafParserFactory().forObject('k').parse(line, 4)).toThrow(RecordParseError);
  });
});

describe('json_lines parser', () => {
  it('emits each line as its document when lines are JSON objects', () => {
    expect(parseAll(jsonLinesParserFactory(), ['{"a":1}', '{"b":{"c":[true]}}'])).toEqual([
      { a: 1 },
      { b: { c: [true] } },
    ]);
  });

  it('names its type in the error when a line is not JSON', () => {
    expect(() => jsonLinesParserFactory().forObject('k').parse('nope', 1)).toThrow(/json_lines: invalid JSON/);
  });
});

describe('cloudtrail parser', () => {
  it('emits one event per element of Records when the object is a CloudTrail log file', () => {
    const factory = cloudtrailParserFactory();
    expect(factory.framing).toBe('json');
    const docs = factory.forObject('k').parse(fixture('cloudtrail-docs.json'), 1);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({
      eventName: 'StartInstances',
      userIdentity: { accountId: '123456789012' },
      recipientAccountId: '123456789012',
      responseElements: { instancesSet: { items: [{ currentState: { code: 0, name: 'pending' } }] } },
    });
    expect(docs[1]).toMatchObject({ eventName: 'StopInstances', responseElements: null });
  });

  it.each([
    ['an empty Records array', '{"Records":[]}', 0],
    ['a byte order mark', '\uFEFF{"Records":[{"eventName":"A"}]}', 1],
  ])('parses the document when it has %s', (_name, text, count) => {
    expect(cloudtrailParserFactory().forObject('k').parse(text, 1)).toHaveLength(count);
  });

  it.each([
    ['not JSON', '{"Records":[', /cloudtrail: invalid JSON/],
    ['a digest file without Records', '{"awsAccountId":"123456789012","digestStartTime":"x"}', /no "Records" array/],
    ['a non-object record', '{"Records":[{"a":1}, 5]}', /Records\[1\] is not an object/],
  ])('throws RecordParseError when the document is %s', (_name, text, reason) => {
    expect(() => cloudtrailParserFactory().forObject('k').parse(text, 1)).toThrow(reason);
    expect(() => cloudtrailParserFactory().forObject('k').parse(text, 1)).toThrow(RecordParseError);
  });
});

describe('lines parser', () => {
  it.each([
    [undefined, 'message'],
    ['log', 'log'],
  ])('puts each line under %s when configured so', (field, key) => {
    expect(parseAll(linesParserFactory({ field }), ['a "b" - c'])).toEqual([{ [key]: 'a "b" - c' }]);
  });
});
