import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import { nlbParserFactory } from '../../src/parsers/nlb-parser.js';
import { fixtureLines, parseOne } from './parse-helpers.js';

const nlb = nlbParserFactory();
// AWS's two documented example entries, each joined onto one line (test/fixtures/parsers/README.md).
const lines = fixtureLines('nlb-docs.log');

describe('nlb parser', () => {
  it('maps every field of the documentation example of a TLS listener without an ALPN policy', () => {
    expect(parseOne(nlb, lines[0]!)).toEqual({
      type: 'tls',
      version: '2.0',
      time: '2018-12-20T02:59:40',
      elb: 'net/my-network-loadbalancer/c6e77e28c25b2234',
      listener: 'g3d4b5e8bb8464cd',
      client_ip: '72.21.218.154',
      client_port: 51341,
      destination_ip: '172.100.100.185',
      destination_port: 443,
      connection_time: 5,
      tls_handshake_time: 2,
      received_bytes: 98,
      sent_bytes: 246,
      incoming_tls_alert: null,
      chosen_cert_arn: 'arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99',
      chosen_cert_serial: null,
      tls_cipher: 'ECDHE-RSA-AES128-SHA',
      tls_protocol_version: 'tlsv12',
      tls_named_group: null,
      domain_name: 'my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com',
      alpn_fe_protocol: null,
      alpn_be_protocol: null,
      alpn_client_preference_list: null,
    });
  });

  it('keeps the ALPN preference list as AWS writes it, quotes and comma included', () => {
    expect(parseOne(nlb, lines[1]!)).toMatchObject({
      alpn_fe_protocol: 'h2',
      alpn_be_protocol: 'h2',
      alpn_client_preference_list: '"h2","http/1.1"',
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      'the current layout with tls_connection_creation_time',
      `${lines[1]} 2020-04-01T08:51:40`,
      { tls_connection_creation_time: '2020-04-01T08:51:40' },
    ],
    ['a field appended after it', `${lines[1]} 2020-04-01T08:51:40 future`, { field_23: 'future' }],
    [
      'IPv6 client and destination, split at the last colon',
      lines[0]!.replace('72.21.218.154:51341 172.100.100.185:443', '2001:db8::1:51341 2001:db8:ffff::a:443'),
      { client_ip: '2001:db8::1', client_port: 51341, destination_ip: '2001:db8:ffff::a', destination_port: 443 },
    ],
    [
      'a TLS alert and a handshake that never completed',
      lines[0]!.replace(' 5 2 98 246 - ', ' 1 - 0 0 40 ').replace(' ECDHE-RSA-AES128-SHA tlsv12 ', ' - - '),
      { connection_time: 1, tls_handshake_time: null, incoming_tls_alert: 40, tls_cipher: null },
    ],
  ])('parses %s', (_name, line, expected) => {
    expect(parseOne(nlb, line)).toMatchObject(expected);
  });

  it('yields the fields it has when the line predates the ALPN fields', () => {
    const doc = parseOne(nlb, lines[0]!.replace(/ - - -$/, ''));
    expect(doc.domain_name).toMatch(/elb\.us-east-2\.amazonaws\.com$/);
    expect(doc).not.toHaveProperty('alpn_fe_protocol');
  });

  it('throws RecordParseError naming the field when an address or a number is malformed', () => {
    expect(() => parseOne(nlb, lines[0]!.replace('72.21.218.154:51341', '72.21.218.154'))).toThrow(/client:port/);
    expect(() => parseOne(nlb, lines[0]!.replace(' 98 246 ', ' 98 many '))).toThrow(/field sent_bytes/);
    expect(() => parseOne(nlb, 'tls 2.0 2018-12-20T02:59:40')).toThrow(RecordParseError);
  });
});
