import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import { cloudfrontDefaultFields, cloudfrontParserFactory } from '../../src/parsers/cloudfront-parser.js';
import { fixtureLines, parseAll } from './parse-helpers.js';

const lines = fixtureLines('cloudfront-docs.log');

describe('cloudfront parser', () => {
  it('maps the documentation example by its #Fields header and skips the header lines', () => {
    const docs = parseAll(cloudfrontParserFactory(), lines);
    expect(docs).toHaveLength(3);
    expect(docs[0]).toEqual({
      date: '2019-12-04',
      time: '21:02:31',
      x_edge_location: 'LAX1',
      sc_bytes: 392,
      c_ip: '192.0.2.100',
      cs_method: 'GET',
      cs_host: 'd111111abcdef8.cloudfront.net',
      cs_uri_stem: '/index.html',
      sc_status: 200,
      cs_referer: null,
      cs_user_agent:
        'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36',
      cs_uri_query: null,
      cs_cookie: null,
      x_edge_result_type: 'Hit',
      x_edge_request_id: 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
      x_host_header: 'd111111abcdef8.cloudfront.net',
      cs_protocol: 'https',
      cs_bytes: 23,
      time_taken: 0.001,
      x_forwarded_for: null,
      ssl_protocol: 'TLSv1.2',
      ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
      x_edge_response_result_type: 'Hit',
      cs_protocol_version: 'HTTP/2.0',
      fle_status: null,
      fle_encrypted_fields: null,
      c_port: 11040,
      time_to_first_byte: 0.001,
      x_edge_detailed_result_type: 'Hit',
      sc_content_type: 'text/html',
      sc_content_len: 78,
      sc_range_start: null,
      sc_range_end: null,
    });
    expect(docs[2]).toMatchObject({
      sc_status: 502,
      x_edge_detailed_result_type: 'OriginDnsError',
      cs_referer: 'http://www.example.com/',
    });
  });

  it('uses the header order when a #Fields header lists fewer, reordered columns', () => {
    const docs = parseAll(cloudfrontParserFactory(), [
      '#Version: 1.0',
      '#Fields: c-ip sc-status cs(User-Agent)',
      '2001:db8::1\t304\tcurl/8',
    ]);
    expect(docs).toEqual([{ c_ip: '2001:db8::1', sc_status: 304, cs_user_agent: 'curl/8' }]);
  });

  it('falls back to the documented default fields when the object has no header', () => {
    const docs = parseAll(cloudfrontParserFactory(), lines.slice(2));
    expect(docs).toHaveLength(3);
    expect(Object.keys(docs[0]!)).toHaveLength(cloudfrontDefaultFields.length);
    expect(docs[0]!.c_port).toBe(11040);
  });

  it('builds standard lines exactly as the table-driven mapping does, in the same key order', () => {
    const data = lines.slice(2);
    const standard = parseAll(cloudfrontParserFactory(), data);
    // A header naming the same columns in another spelling of case takes the generic path.
    const generic = parseAll(
      cloudfrontParserFactory({ fields: cloudfrontDefaultFields.map((f) => f.toUpperCase()) }),
      data,
    );
    expect(standard).toEqual(generic);
    for (let i = 0; i < standard.length; i++) expect(Object.keys(standard[i]!)).toEqual(Object.keys(generic[i]!));
  });

  it('uses configured fields when the object has no header', () => {
    const docs = parseAll(cloudfrontParserFactory({ fields: ['date', 'sc-bytes'] }), ['2024-01-01\t5']);
    expect(docs).toEqual([{ date: '2024-01-01', sc_bytes: 5 }]);
  });

  // Found by the fuzz suite (test/fuzz/parsers.test.ts): the header's names come from the object.
  it.each([
    ['a value', 'x', 'x'],
    ['a dash (null)', '-', null],
  ])(
    'keeps a __proto__ column as a plain field when a #Fields header names it and the line holds %s',
    (_what, value, expected) => {
      const [doc] = parseAll(cloudfrontParserFactory(), [
        '#Fields: date __PROTO__ constructor',
        `2019-12-04\t${value}\ty`,
      ]);
      expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
      expect(Object.keys(doc!)).toEqual(['date', '__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value).toBe(expected);
      expect(JSON.stringify(doc)).toBe(
        `{"date":"2019-12-04","__proto__":${JSON.stringify(expected)},"constructor":"y"}`,
      );
    },
  );

  it('keeps extra columns as field_<n> when a line is longer than its header', () => {
    const docs = parseAll(cloudfrontParserFactory(), ['#Fields: date time', '2024-01-01\t00:00:00\textra\t-']);
    expect(docs).toEqual([{ date: '2024-01-01', time: '00:00:00', field_3: 'extra', field_4: null }]);
  });

  it.each([
    ['a line without tabs', ['not a cloudfront line'], /not a tab-separated/],
    ['a non-numeric status', ['#Fields: date sc-status', '2024-01-01\tOK'], /field sc_status: "OK" is not a number/],
    ['an empty #Fields header', ['#Fields:'], /names no fields/],
  ])('throws RecordParseError when the object has %s', (_name, input, reason) => {
    expect(() => parseAll(cloudfrontParserFactory(), input)).toThrow(reason);
    expect(() => parseAll(cloudfrontParserFactory(), input)).toThrow(RecordParseError);
  });
});
