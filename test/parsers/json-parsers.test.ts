import { describe, expect, it } from 'vitest';
import { PartialRecordError, RecordParseError } from '../../src/core/errors.js';
import { cloudtrailParserFactory } from '../../src/parsers/cloudtrail-parser.js';
import { scanJsonText } from '../../src/parsers/framing/scan-json-text.js';
import { createParserFactory, parserConfigSchema } from '../../src/parsers/index.js';
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

const nest = (levels: number): string => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;

describe('JSON parsers on hostile input', () => {
  const parse = (text: string, hint?: number) => jsonLinesParserFactory().forObject('k').parse(text, 1, hint);

  it.each([
    ['at the top', '{"action":"ALLOW","action":"BLOCK"}', 'action'],
    ['in a nested object', '{"httpRequest":{"uri":"/a","args":"","uri":"/admin"}}', 'uri'],
    ['spelled with an escape', '{"action":"ALLOW","\\u0061ction":"BLOCK"}', 'action'],
    ['in an object of 40 keys', `{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',')},"k7":"x"}`, 'k7'],
    ['holding objects', '{"a":{"x":1},"a":{"x":2}}', 'a'],
  ])('refuses a key repeated with another value %s, naming it', (_name, text, key) => {
    expect(() => parse(text)).toThrow(RecordParseError);
    expect(() => parse(text)).toThrow(`key "${key}" appears twice in one object with different values`);
  });

  it('keeps a key repeated with the same value, which changes nothing', () => {
    expect(parse('{"a":1,"b":[2],"a":1}')).toEqual([{ a: 1, b: [2] }]);
  });

  it('names a long repeated key by its first 100 characters', () => {
    const key = 'k'.repeat(500);
    expect(() => parse(`{"${key}":1,"${key}":2}`)).toThrow(`key "${'k'.repeat(100)}…" appears twice`);
  });

  it.each([
    ['an integer beyond 2^53', '{"id":9007199254740993}', { id: '9007199254740993' }],
    ['a 20-digit id', '{"id":12345678901234567890}', { id: '12345678901234567890' }],
    ['a negative one', '{"id":-12345678901234567890}', { id: '-12345678901234567890' }],
    ['an overflow', '{"v":1e400}', { v: '1e400' }],
    ['an underflow', '{"v":1e-400}', { v: '1e-400' }],
    ['one deep in an array', '{"a":[{"b":[1,99999999999999999999]}]}', { a: [{ b: [1, '99999999999999999999'] }] }],
  ])('keeps %s as its text and tags the event', (_name, text, doc) => {
    expect(parse(text)).toEqual([{ ...doc, tags: ['_json_number_as_text'] }]);
  });

  it.each([
    ['a safe 16-digit integer', '{"n":1234567890123456}', { n: 1234567890123456 }],
    ['2^53 - 1', '{"n":9007199254740991}', { n: 9007199254740991 }],
    ['a decimal that rounds', '{"n":0.12345678901234567890}', { n: 0.12345678901234568 }],
    ['an exponent in range', '{"n":1.5e300,"m":-2E-5}', { n: 1.5e300, m: -2e-5 }],
    ['an epoch in milliseconds', '{"timestamp":1683355579981}', { timestamp: 1683355579981 }],
  ])('keeps %s as a number, untagged', (_name, text, doc) => {
    expect(parse(text)).toEqual([doc]);
  });

  it('keeps a key named __proto__ as data when the exact path parses the record', () => {
    const [doc] = parse('{"__proto__":{"polluted":1},"n":12345678901234567890}');
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.keys(doc!)).toEqual(['__proto__', 'n', 'tags']);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });

  it.each([
    [20, true],
    [21, false],
  ])('accepts a record nested %i levels deep only up to max_depth (default 20)', (levels, ok) => {
    if (ok) expect(parse(nest(levels))).toHaveLength(1);
    else expect(() => parse(nest(levels))).toThrow('nests 21 levels deep, more than max_depth (20)');
  });

  it('counts arrays as levels, as recursive code does', () => {
    expect(() => parse(`{"a":${'['.repeat(20)}${']'.repeat(20)}}`)).toThrow(/nests 21 levels deep/);
  });

  it('takes max_depth from the pipeline config', () => {
    const parser = createParserFactory(parserConfigSchema.parse({ type: 'waf', max_depth: 3 })).forObject('k');
    expect(parser.parse(nest(3), 1)).toHaveLength(1);
    expect(() => parser.parse(nest(4), 1)).toThrow('more than max_depth (3)');
    expect(parserConfigSchema.safeParse({ type: 'waf', max_depth: 0 }).success).toBe(false);
    expect(parserConfigSchema.safeParse({ type: 'json_lines', max_depth: 1001 }).success).toBe(false);
  });

  it('counts CloudTrail depth inside each event, not from the file', () => {
    const file = (levels: number) => `{"Records":[${nest(levels)}]}`;
    expect(cloudtrailParserFactory().forObject('k').parse(file(20), 1)).toHaveLength(1);
    expect(() => cloudtrailParserFactory().forObject('k').parse(file(21), 1)).toThrow(
      'cloudtrail: Records[0]: the event nests 21 levels deep, more than max_depth (20)',
    );
  });

  it('tags only the CloudTrail events that hold a number kept as text, and refuses an event with a repeated key', () => {
    const docs = cloudtrailParserFactory()
      .forObject('k')
      .parse('{"Records":[{"eventName":"A"},{"eventName":"B","n":123456789012345678901}]}', 1);
    expect(docs).toEqual([
      { eventName: 'A' },
      { eventName: 'B', n: '123456789012345678901', tags: ['_json_number_as_text'] },
    ]);
    expect(() =>
      cloudtrailParserFactory().forObject('k').parse('{"Records":[{"eventName":"A","eventName":"B"}]}', 1),
    ).toThrow('cloudtrail: Records[0]: key "eventName" appears twice');
  });

  describe('one CloudTrail event that breaks a rule', () => {
    const good = (i: number) => JSON.stringify({ eventName: `E${i}`, requestParameters: { n: i } });
    const file = (bad: string) => `{"Records":[${good(0)}, ${bad} ,${good(2)}]}`;
    /** The PartialRecordError the parser throws for `text`, with the framing's hint or without. */
    const partial = (text: string, withHint: boolean): PartialRecordError => {
      try {
        cloudtrailParserFactory()
          .forObject('k')
          .parse(text, 7, withHint ? scanJsonText(text) : undefined);
      } catch (error) {
        expect(error).toBeInstanceOf(PartialRecordError);
        return error as PartialRecordError;
      }
      throw new Error('the file parsed without a refused event');
    };

    it.each([
      [
        'nested 5,000 levels deep',
        `{"eventName":"BAD","requestParameters":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        'Records[1]: the event nests 5001 levels deep',
      ],
      ['with a key repeated with another value', '{"eventName":"A","eventName":"B"}', 'key "eventName" appears twice'],
      ['that is not an object', '5', 'Records[1] is not an object'],
      ['that is an array', '[{"eventName":"X"}]', 'Records[1] is not an object'],
    ])('refuses only the event %s and keeps the others under their own index', (_what, bad, reason) => {
      for (const withHint of [true, false]) {
        const error = partial(file(bad), withHint);
        expect(error.docs).toEqual([JSON.parse(good(0)), JSON.parse(good(2))]);
        expect(error.subs).toEqual([0, 2]);
        expect(error.failed).toEqual([{ sub: 1, reason: expect.stringContaining(reason), raw: bad }]);
        expect(error.context).toMatchObject({ key: 'k', record: 7, field: 'Records[1]' });
      }
    });

    it('refuses every event that breaks a rule and tags a kept one holding a number kept as text', () => {
      const deep = `{"b":{"c":${'['.repeat(19)}1${']'.repeat(19)}}}`; // 21 levels
      const text = `{"Records":[{"a":1,"a":2},{"eventName":"B","n":123456789012345678901},${deep}]}`;
      const error = partial(text, true);
      expect(error.subs).toEqual([1]);
      expect(error.docs).toEqual([{ eventName: 'B', n: '123456789012345678901', tags: ['_json_number_as_text'] }]);
      expect(error.failed.map((failed) => failed.sub)).toEqual([0, 2]);
    });

    it.each([
      ['not JSON', '{"Records":[{"a":1},{"a":1,"a":2}', /cloudtrail: invalid JSON/],
      ['Records named twice', '{"Records":[{"a":1}],"Records":[{"a":2}]}', /key "Records" appears twice/],
      ['a digest file with a repeated key and no Records', '{"x":1,"x":2}', /key "x" appears twice/],
    ])('fails the whole file as one record when it is %s', (_what, text, reason) => {
      const parse = () => cloudtrailParserFactory().forObject('k').parse(text, 1);
      expect(parse).toThrow(reason);
      expect(parse).not.toThrow(PartialRecordError);
    });

    it('gives every event the same result with a deep event elsewhere in the file as without one', () => {
      const deep = `{"eventName":"BAD","requestParameters":${'['.repeat(30)}${']'.repeat(30)}}`;
      const clean = cloudtrailParserFactory()
        .forObject('k')
        .parse(`{"Records":[${good(0)},${good(2)}]}`, 1);
      expect(partial(file(deep), true).docs).toEqual(clean);
    });
  });

  it('gives the same documents with the framing hint as without it', () => {
    const texts = [
      ...fixtureLines('waf-docs.log'),
      fixture('waf-aws-example.json'),
      '{"a":1,"a":1}',
      '{"id":12345678901234567890}',
      nest(5),
    ];
    for (const text of texts) {
      const hint = scanJsonText(text);
      expect(wafParserFactory().forObject('k').parse(text, 1, hint)).toEqual(
        wafParserFactory().forObject('k').parse(text, 1),
      );
    }
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
