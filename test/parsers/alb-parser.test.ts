import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import { albFields, albParserFactory } from '../../src/parsers/alb-parser.js';
import { mapTokens } from '../../src/parsers/text/map-tokens.js';
import { tokenizeLine } from '../../src/parsers/text/tokenize-line.js';
import { fixtureLines, parseAll, parseOne } from './parse-helpers.js';

const alb = albParserFactory();
const docsLines = fixtureLines('alb-docs.log');

describe('alb parser', () => {
  it('maps every field of the documentation HTTP example when the line has the newest layout', () => {
    expect(parseOne(alb, docsLines[0]!)).toEqual({
      type: 'http',
      time: '2018-07-02T22:23:00.186641Z',
      elb: 'app/my-loadbalancer/50dc6c495c0c9188',
      client_ip: '192.168.131.39',
      client_port: 2817,
      target_ip: '10.0.0.1',
      target_port: 80,
      request_processing_time: 0,
      target_processing_time: 0.001,
      response_processing_time: 0,
      elb_status_code: 200,
      target_status_code: 200,
      received_bytes: 34,
      sent_bytes: 366,
      request_method: 'GET',
      request_url: 'http://www.example.com:80/',
      request_protocol: 'HTTP/1.1',
      user_agent: 'curl/7.46.0',
      ssl_cipher: null,
      ssl_protocol: null,
      target_group_arn: 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
      trace_id: 'Root=1-58337262-36d228ad5d99923122bbe354',
      domain_name: null,
      chosen_cert_arn: null,
      matched_rule_priority: 0,
      request_creation_time: '2018-07-02T22:22:48.364000Z',
      actions_executed: 'forward',
      redirect_url: null,
      error_reason: null,
      target_port_list: '10.0.0.1:80',
      target_status_code_list: '200',
      classification: null,
      classification_reason: null,
      conn_trace_id: 'TID_1234abcd5678ef90',
      transformed_host: null,
      transformed_uri: null,
      request_transform_status: null,
    });
  });

  it.each([
    [0, { type: 'http', elb_status_code: 200, ssl_cipher: null }],
    [
      1,
      {
        type: 'https',
        ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
        ssl_protocol: 'TLSv1.2',
        domain_name: 'www.example.com',
        chosen_cert_arn: 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012',
        matched_rule_priority: 1,
        actions_executed: 'authenticate,forward',
      },
    ],
    [
      2,
      {
        type: 'h2',
        request_url: 'https://10.0.2.105:773/',
        request_protocol: 'HTTP/2.0',
        actions_executed: 'redirect',
        redirect_url: 'https://example.com:80/',
      },
    ],
    [3, { type: 'ws', elb_status_code: 101, target_status_code: 101, user_agent: null, target_port: 8010 }],
    [4, { type: 'wss', request_url: 'https://10.0.0.30:443/', target_ip: '10.0.0.171' }],
    [5, { target_ip: null, target_port: null, target_port_list: null, target_status_code: 200 }],
    [6, { elb_status_code: 502, target_status_code: null, error_reason: 'LambdaInvalidResponse' }],
  ])('parses documentation example %i into the documented fields', (index, expected) => {
    expect(parseOne(alb, docsLines[index]!)).toMatchObject(expected);
  });

  it('parses every documentation example when they share one object', () => {
    const docs = parseAll(alb, docsLines);
    expect(docs.map((d) => d.type)).toEqual(['http', 'https', 'h2', 'ws', 'wss', 'http', 'http']);
    for (const doc of docs) expect(Object.keys(doc)).toHaveLength(37);
  });

  const base =
    'https 2024-05-01T10:00:00.000000Z app/lb/1 192.0.2.1:443 10.0.0.1:80 0.001 0.002 0.000 200 200 10 20 "GET https://example.com:443/ HTTP/1.1" "curl/8" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1 "Root=1-abc"';

  it.each([
    [
      'the 2016 layout ends at trace_id',
      base,
      { trace_id: 'Root=1-abc', ssl_protocol: 'TLSv1.2' },
      ['domain_name', 'matched_rule_priority', 'conn_trace_id'],
    ],
    [
      'the 2017 layout ends at chosen_cert_arn',
      `${base} "example.com" "-"`,
      { domain_name: 'example.com', chosen_cert_arn: null },
      ['matched_rule_priority'],
    ],
    [
      'the 2018 layout ends at error_reason',
      `${base} "example.com" "-" 5 2024-05-01T09:59:59.990000Z "waf,forward" "-" "-"`,
      { matched_rule_priority: 5, actions_executed: 'waf,forward', error_reason: null },
      ['target_port_list', 'classification'],
    ],
    [
      'the 2020 layout ends at classification_reason',
      `${base} "example.com" "-" 5 2024-05-01T09:59:59.990000Z "forward" "-" "-" "10.0.0.1:80 10.0.0.2:80" "200 502" "Ambiguous" "UndefinedContentLengthSemantics"`,
      {
        target_port_list: '10.0.0.1:80 10.0.0.2:80',
        target_status_code_list: '200 502',
        classification: 'Ambiguous',
        classification_reason: 'UndefinedContentLengthSemantics',
      },
      ['conn_trace_id', 'transformed_host'],
    ],
  ])('yields the fields it has when %s', (_name, line, expected, absent) => {
    const doc = parseOne(alb, line);
    expect(doc).toMatchObject(expected);
    for (const field of absent) expect(doc).not.toHaveProperty(field);
  });

  it('reads target lists unquoted when the line is the 2019 documentation variant', () => {
    const line =
      'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" 10.0.0.1:80 200 "-" "-"';
    const doc = parseOne(alb, line);
    expect(doc).toMatchObject({
      target_port_list: '10.0.0.1:80',
      target_status_code_list: '200',
      classification: null,
      classification_reason: null,
    });
    expect(doc).not.toHaveProperty('conn_trace_id');
  });

  it('builds the same document as the field table, in the same key order, for every line length', () => {
    const raw = `${docsLines[1]} "x y" 7`.match(/"(?:[^"\\]|\\.)*"|\S+/g)!;
    expect(raw).toHaveLength(35);
    for (let count = 13; count <= raw.length; count++) {
      const line = raw.slice(0, count).join(' ');
      const tokens: (string | null)[] = [];
      const n = tokenizeLine(line, tokens);
      const expected = mapTokens(tokens, n, albFields, {}, { key: 'k', record: 1 });
      const doc = parseOne(alb, line);
      expect(doc).toEqual(expected);
      expect(Object.keys(doc)).toEqual(Object.keys(expected));
    }
  });

  it('keeps appended unknown fields as field_<n> when the line is longer than known', () => {
    const line = `${docsLines[0]} "new value" 42 -`;
    const doc = parseOne(alb, line);
    expect(doc.request_transform_status).toBeNull();
    expect(doc.field_34).toBe('new value');
    expect(doc.field_35).toBe('42');
    expect(doc.field_36).toBeNull();
  });

  it.each([
    ['an IPv6 client', '2001:db8:85a3::8a2e:370:7334:52113', '2001:db8:85a3::8a2e:370:7334', 52113],
    ['an IPv4-mapped IPv6 client', '::ffff:192.0.2.128:61000', '::ffff:192.0.2.128', 61000],
    ['an IPv4 client', '198.51.100.7:1', '198.51.100.7', 1],
  ])('splits the client at the last colon when it is %s', (_name, client, ip, port) => {
    const doc = parseOne(alb, base.replace('192.0.2.1:443', client));
    expect(doc.client_ip).toBe(ip);
    expect(doc.client_port).toBe(port);
  });

  it('keeps -1 processing times and a dash target when the request could not be dispatched', () => {
    const line =
      'http 2024-05-01T10:00:00.000000Z app/lb/1 192.0.2.7:500 - -1 -1 -1 400 - 0 0 "- - - " "-" - - - "-" "-" "-" - 2024-05-01T10:00:00.000000Z "-" "-" "-" "-" "-" "-" "-" -';
    expect(parseOne(alb, line)).toMatchObject({
      target_ip: null,
      target_port: null,
      request_processing_time: -1,
      target_processing_time: -1,
      response_processing_time: -1,
      elb_status_code: 400,
      target_status_code: null,
      request_method: null,
      request_url: null,
      request_protocol: null,
      user_agent: null,
      target_group_arn: null,
      matched_rule_priority: null,
      conn_trace_id: null,
    });
  });

  it.each([
    [
      'escaped quotes and backslashes in the user agent',
      '"Mozilla/5.0 \\"quoted\\" back\\\\slash \\n kept"',
      'Mozilla/5.0 "quoted" back\\slash \\n kept',
    ],
    [
      'spaces in the user agent',
      '"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101"',
      'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101',
    ],
    ['an empty user agent', '""', ''],
    ['a user agent that is a quoted dash', '"-"', null],
  ])('unquotes the field when it has %s', (_name, quoted, expected) => {
    expect(parseOne(alb, base.replace('"curl/8"', quoted)).user_agent).toBe(expected);
  });

  it.each([
    [
      'a URL with spaces',
      '"GET https://example.com:443/a b c HTTP/1.1"',
      'GET',
      'https://example.com:443/a b c',
      'HTTP/1.1',
    ],
    ['only two parts', '"GET https://example.com:443/"', 'GET', 'https://example.com:443/', null],
    ['one part', '"PRI"', 'PRI', null, null],
    [
      'a grpc request',
      '"POST https://example.com:443/pkg.Service/Method HTTP/2.0"',
      'POST',
      'https://example.com:443/pkg.Service/Method',
      'HTTP/2.0',
    ],
  ])('splits the request when it has %s', (_name, request, method, url, protocol) => {
    const doc = parseOne(alb, base.replace('"GET https://example.com:443/ HTTP/1.1"', request));
    expect([doc.request_method, doc.request_url, doc.request_protocol]).toEqual([method, url, protocol]);
  });

  it.each([
    ['an unterminated quote', base.slice(0, -1), /unterminated quoted field starting at column \d+ \(field trace_id\)/],
    ['a quote closed too early', base.replace('"curl/8"', '"curl/8'), /unexpected character after quoted field/],
    [
      'too few fields',
      'http 2024-05-01T10:00:00Z app/lb/1 192.0.2.1:443',
      /expected at least 13.*target:port is missing/,
    ],
    ['a non-numeric status', base.replace(' 200 200 ', ' 200 OK '), /field target_status_code: "OK" is not a number/],
    [
      'a client without a port',
      base.replace('192.0.2.1:443', '192.0.2.1'),
      /field client:port: "192.0.2.1" is not ip:port/,
    ],
    ['a non-numeric port', base.replace('192.0.2.1:443', '192.0.2.1:abc'), /field client_port: "abc" is not a number/],
    ['garbage after a quoted field', base.replace('"curl/8"', '"curl/8"x'), /unexpected character after quoted field/],
    ['an empty line', '', /expected at least 13/],
  ])('throws RecordParseError with the reason when the line has %s', (_name, line, reason) => {
    const error = (() => {
      try {
        alb.forObject('AWSLogs/x.log.gz').parse(line, 7);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RecordParseError);
    expect((error as RecordParseError).message).toMatch(reason);
    expect((error as RecordParseError).context).toMatchObject({ key: 'AWSLogs/x.log.gz', record: 7 });
  });
});
