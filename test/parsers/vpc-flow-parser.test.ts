import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import { vpcFlowParserFactory } from '../../src/parsers/vpc-flow-parser.js';
import { fixtureLines, parseAll } from './parse-helpers.js';

describe('vpc_flow parser', () => {
  const defaultLines = fixtureLines('vpc-flow-default.log');

  it('maps the default format and skips the header line when the file has one', () => {
    const docs = parseAll(vpcFlowParserFactory(), defaultLines);
    expect(docs).toHaveLength(5);
    expect(docs[0]).toEqual({
      version: 2,
      account_id: '123456789010',
      interface_id: 'eni-1235b8ca123456789',
      srcaddr: '172.31.16.139',
      dstaddr: '172.31.16.21',
      srcport: 20641,
      dstport: 22,
      protocol: 6,
      packets: 20,
      bytes: 4249,
      start: 1418530010,
      end: 1418530070,
      action: 'ACCEPT',
      log_status: 'OK',
    });
  });

  it.each([
    [1, { action: 'REJECT', dstport: 3389 }],
    [
      2,
      { srcaddr: null, dstaddr: null, srcport: null, packets: null, bytes: null, action: null, log_status: 'NODATA' },
    ],
    [3, { interface_id: 'eni-11111111aaaaaaaaa', srcaddr: null, action: null, log_status: 'SKIPDATA' }],
    [4, { srcaddr: '2001:db8:1234:a100:8d6e:3477:df66:f105', srcport: 34892 }],
  ])('parses documentation record %i (REJECT, NODATA, SKIPDATA, IPv6)', (index, expected) => {
    expect(parseAll(vpcFlowParserFactory(), defaultLines)[index]).toMatchObject(expected);
  });

  it('follows the header order when the file uses a custom format', () => {
    const docs = parseAll(vpcFlowParserFactory(), fixtureLines('vpc-flow-custom.log'));
    expect(docs[0]).toEqual({
      version: 3,
      vpc_id: 'vpc-abcdefab012345678',
      subnet_id: 'subnet-aaaaaaaa012345678',
      instance_id: 'i-01234567890123456',
      interface_id: 'eni-1235b8ca123456789',
      account_id: '123456789010',
      type: 'IPv4',
      srcaddr: '52.213.180.42',
      dstaddr: '10.0.0.62',
      srcport: 43416,
      dstport: 5001,
      pkt_srcaddr: '52.213.180.42',
      pkt_dstaddr: '10.0.0.62',
      protocol: 6,
      bytes: 568,
      packets: 8,
      start: 1566848875,
      end: 1566848933,
      action: 'ACCEPT',
      tcp_flags: 2,
      log_status: 'OK',
    });
    expect(docs[1]).toMatchObject({ tcp_flags: 18, bytes: 376 });
  });

  it('uses the configured fields when the file has no header', () => {
    const fields = ['flow-direction', 'srcaddr', 'dstaddr', 'bytes', 'log-status'];
    const docs = parseAll(vpcFlowParserFactory({ fields }), ['ingress 10.0.0.1 10.0.0.2 100 OK']);
    expect(docs).toEqual([
      { flow_direction: 'ingress', srcaddr: '10.0.0.1', dstaddr: '10.0.0.2', bytes: 100, log_status: 'OK' },
    ]);
  });

  it('prefers the header over the configured fields when the file has both', () => {
    const docs = parseAll(vpcFlowParserFactory({ fields: ['bytes', 'srcaddr'] }), ['srcaddr bytes', '10.0.0.9 77']);
    expect(docs).toEqual([{ srcaddr: '10.0.0.9', bytes: 77 }]);
  });

  it('keeps account ids as strings when they have leading zeros', () => {
    const docs = parseAll(vpcFlowParserFactory(), [
      '2 012345678901 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1418530010 1418530070 ACCEPT OK',
    ]);
    expect(docs[0]!.account_id).toBe('012345678901');
  });

  it.each([
    ['fewer fields than the header', ['version srcaddr', '2'], /line has 1 fields but the header line define 2/],
    ['more fields than the default format', ['2 1 2 3 4 5 6 7 8 9 10 11 12 13 14'], /the default format define 14/],
    ['a non-numeric port', ['srcport', 'http'], /field srcport: "http" is not a number/],
  ])('throws RecordParseError when a record has %s', (_name, lines, reason) => {
    expect(() => parseAll(vpcFlowParserFactory(), lines)).toThrow(reason);
    expect(() => parseAll(vpcFlowParserFactory(), lines)).toThrow(RecordParseError);
  });
});
