import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import { albConnectionParserFactory } from '../../src/parsers/alb-connection-parser.js';
import { fixtureLines, parseOne } from './parse-helpers.js';

const conn = albConnectionParserFactory();
// AWS's two documented example entries, each joined onto one line (test/fixtures/parsers/README.md).
const lines = fixtureLines('alb-connection-docs.log');

const subject = 'CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US';
const validity = 'NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z';

describe('alb_connection parser', () => {
  it('maps every field of the documentation example of a successful mutual TLS connection', () => {
    expect(parseOne(conn, lines[0]!)).toEqual({
      timestamp: '2023-10-04T17:05:15.514108Z',
      client_ip: '203.0.113.1',
      client_port: 36280,
      listener_port: 443,
      tls_protocol: 'TLSv1.2',
      tls_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
      tls_handshake_latency: 4.036,
      leaf_client_cert_subject: subject,
      leaf_client_cert_validity: validity,
      leaf_client_cert_serial_number: 'FEF257372D5C14D4',
      tls_verify_status: 'Success',
      conn_trace_id: 'TID_3180a73013c8ca4bac2f731159d4b0fe',
    });
  });

  it('maps a failed handshake: no latency, the error code in tls_verify_status', () => {
    expect(parseOne(conn, lines[1]!)).toMatchObject({
      tls_handshake_latency: null,
      tls_verify_status: 'Failed:ClientCertUntrusted',
      conn_trace_id: 'TID_1c71a68d70587445ad5127ff8b2687d7',
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      'the current layout with tls_keyexchange, elb and ip_address',
      `${lines[0]} X25519MLKEM768 app/my-loadbalancer/50dc6c495c0c9188 10.0.0.15`,
      { tls_keyexchange: 'X25519MLKEM768', elb: 'app/my-loadbalancer/50dc6c495c0c9188', ip_address: '10.0.0.15' },
    ],
    [
      'a trailing "-" AWS writes before it documents a new field',
      `${lines[0]} X25519 app/my-loadbalancer/50dc6c495c0c9188 10.0.0.15 -`,
      { ip_address: '10.0.0.15', field_16: null },
    ],
    [
      'a plain HTTP listener, every TLS field "-"',
      '2024-03-01T10:00:00.000000Z 198.51.100.7 50123 80 - - - "-" - - - TID_0123456789abcdef0123456789abcdef',
      {
        client_port: 50123,
        listener_port: 80,
        tls_protocol: null,
        tls_cipher: null,
        tls_handshake_latency: null,
        leaf_client_cert_subject: null,
        leaf_client_cert_validity: null,
        leaf_client_cert_serial_number: null,
        tls_verify_status: null,
      },
    ],
    [
      'an IPv6 client',
      lines[0]!.replace('203.0.113.1', '2001:db8:85a3::8a2e:370:7334'),
      { client_ip: '2001:db8:85a3::8a2e:370:7334', client_port: 36280 },
    ],
    [
      'a subject holding spaces and an escaped quote',
      lines[0]!.replace(`"${subject}"`, '"CN=Jane \\"JD\\" Doe,O=Example Corp"'),
      {
        leaf_client_cert_subject: 'CN=Jane "JD" Doe,O=Example Corp',
        leaf_client_cert_serial_number: 'FEF257372D5C14D4',
      },
    ],
  ])('parses %s', (_name, line, expected) => {
    expect(parseOne(conn, line)).toMatchObject(expected);
  });

  it('yields the fields it has when the line is the first layout, without conn_trace_id', () => {
    const doc = parseOne(conn, lines[0]!.replace(/ TID_\w+$/, ''));
    expect(doc.tls_verify_status).toBe('Success');
    expect(doc).not.toHaveProperty('conn_trace_id');
  });

  it('throws RecordParseError naming the field when a number is not one or the line is too short', () => {
    expect(() => parseOne(conn, lines[0]!.replace(' 36280 ', ' port '))).toThrow(/field client_port/);
    expect(() => parseOne(conn, '2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443')).toThrow(RecordParseError);
    expect(() => parseOne(conn, '2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443')).toThrow(
      /tls_protocol is missing/,
    );
  });
});
