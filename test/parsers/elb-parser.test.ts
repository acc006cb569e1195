import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import { elbParserFactory } from '../../src/parsers/elb-parser.js';
import { fixtureLines, parseOne } from './parse-helpers.js';

const elb = elbParserFactory();
const lines = fixtureLines('elb-docs.log');

describe('elb parser', () => {
  it('maps every field of the documentation HTTP example', () => {
    expect(parseOne(elb, lines[0]!)).toEqual({
      time: '2015-05-13T23:39:43.945958Z',
      elb: 'my-loadbalancer',
      client_ip: '192.168.131.39',
      client_port: 2817,
      backend_ip: '10.0.0.1',
      backend_port: 80,
      request_processing_time: 0.000073,
      backend_processing_time: 0.001048,
      response_processing_time: 0.000057,
      elb_status_code: 200,
      backend_status_code: 200,
      received_bytes: 0,
      sent_bytes: 29,
      request_method: 'GET',
      request_url: 'http://www.example.com:80/',
      request_protocol: 'HTTP/1.1',
      user_agent: 'curl/7.38.0',
      ssl_cipher: null,
      ssl_protocol: null,
    });
  });

  it.each([
    [1, { request_url: 'https://www.example.com:443/', ssl_cipher: 'DHE-RSA-AES128-SHA', ssl_protocol: 'TLSv1.2' }],
    [
      2,
      {
        elb_status_code: null,
        backend_status_code: null,
        received_bytes: 82,
        request_method: null,
        request_url: null,
        request_protocol: null,
        user_agent: null,
      },
    ],
    [3, { request_method: null, ssl_cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', ssl_protocol: 'TLSv1.2' }],
  ])('parses documentation example %i (HTTPS, TCP and SSL listeners)', (index, expected) => {
    expect(parseOne(elb, lines[index]!)).toMatchObject(expected);
  });

  it('yields the fields it has when the line predates user_agent and ssl fields', () => {
    const doc = parseOne(
      elb,
      '2014-02-15T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1"',
    );
    expect(doc.request_method).toBe('GET');
    expect(doc).not.toHaveProperty('user_agent');
    expect(doc).not.toHaveProperty('ssl_protocol');
  });

  it('splits an IPv6 client at the last colon when the client is IPv6', () => {
    const doc = parseOne(elb, lines[0]!.replace('192.168.131.39:2817', '2001:db8::1:2817'));
    expect([doc.client_ip, doc.client_port]).toEqual(['2001:db8::1', 2817]);
  });

  it('throws RecordParseError when the line is an ALB line without enough ELB fields', () => {
    expect(() => elb.forObject('k').parse('http 2018-07-02T22:23:00.186641Z app/x', 1)).toThrow(RecordParseError);
  });
});
