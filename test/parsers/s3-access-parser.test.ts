import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../src/core/errors.js';
import { s3AccessParserFactory } from '../../src/parsers/s3-access-parser.js';
import { fixtureLines, parseOne } from './parse-helpers.js';

const s3 = s3AccessParserFactory();
const lines = fixtureLines('s3-access-docs.log');

describe('s3_access parser', () => {
  it('maps every field of the documentation example', () => {
    expect(parseOne(s3, lines[0]!)).toEqual({
      bucket_owner: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      bucket: 'amzn-s3-demo-bucket1',
      time: '06/Feb/2019:00:00:38 +0000',
      remote_ip: '192.0.2.3',
      requester: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      request_id: '3E57427F3EXAMPLE',
      operation: 'REST.GET.VERSIONING',
      key: null,
      request_uri: 'GET /amzn-s3-demo-bucket1?versioning HTTP/1.1',
      request_method: 'GET',
      request_url: '/amzn-s3-demo-bucket1?versioning',
      request_protocol: 'HTTP/1.1',
      http_status: 200,
      error_code: null,
      bytes_sent: 113,
      object_size: null,
      total_time: 7,
      turn_around_time: null,
      referer: null,
      user_agent: 'S3Console/0.4',
      version_id: null,
      host_id: 's9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=',
      signature_version: 'SigV4',
      cipher_suite: 'ECDHE-RSA-AES128-GCM-SHA256',
      authentication_type: 'AuthHeader',
      host_header: 'amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com',
      tls_version: 'TLSV1.2',
      access_point_arn: 'arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP',
      acl_required: 'Yes',
    });
  });

  it.each([
    [1, { operation: 'REST.GET.LOGGING_STATUS', access_point_arn: null, acl_required: null }],
    [2, { http_status: 404, error_code: 'NoSuchBucketPolicy', bytes_sent: 297, total_time: 38 }],
  ])('parses documentation example %i', (index, expected) => {
    expect(parseOne(s3, lines[index]!)).toMatchObject(expected);
  });

  it.each([
    [
      '"GET /photos/a%20b.jpg?x=1 HTTP/1.1"',
      'GET /photos/a%20b.jpg?x=1 HTTP/1.1',
      ['GET', '/photos/a%20b.jpg?x=1', 'HTTP/1.1'],
    ],
    ['"GET /key with spaces HTTP/1.1"', 'GET /key with spaces HTTP/1.1', ['GET', '/key with spaces', 'HTTP/1.1']],
    ['"GET /no-protocol"', 'GET /no-protocol', ['GET', '/no-protocol', null]],
    ['"-"', null, [null, null, null]],
    ['-', null, [null, null, null]],
  ])('keeps the Request-URI %s whole as request_uri and split beside it', (field, uri, [method, url, protocol]) => {
    const doc = parseOne(s3, lines[0]!.replace('"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1"', field));
    expect(doc).toMatchObject({
      request_uri: uri,
      request_method: method,
      request_url: url,
      request_protocol: protocol,
    });
  });

  it('keeps the source_region and later fields when the line has them', () => {
    const doc = parseOne(s3, `${lines[0]} us-east-1 future`);
    expect(doc.source_region).toBe('us-east-1');
    expect(doc.field_28).toBe('future');
  });

  it('yields the fields it has when the line is an older, shorter layout', () => {
    const old = lines[2]!.split(' SigV4 ')[0]!;
    const doc = parseOne(s3, old);
    expect(doc.host_id).toMatch(/^BNaBs/);
    expect(doc).not.toHaveProperty('signature_version');
  });

  it('keeps the key and quoted user agent with spaces when they are present', () => {
    const line = lines[0]!
      .replace('REST.GET.VERSIONING -', 'REST.PUT.OBJECT photos/2019/08/puppy.jpg')
      .replace('"S3Console/0.4"', '"aws-cli/2.15 Python/3.11 \\"quoted\\""');
    const doc = parseOne(s3, line);
    expect(doc.key).toBe('photos/2019/08/puppy.jpg');
    expect(doc.user_agent).toBe('aws-cli/2.15 Python/3.11 "quoted"');
  });

  it('throws RecordParseError naming the field when the time bracket is not closed', () => {
    expect(() => s3.forObject('k').parse(lines[0]!.replace('+0000]', '+0000'), 3)).toThrow(
      /unterminated \[bracketed\] field.*\(field time\)/,
    );
    expect(() => s3.forObject('k').parse('owner bucket', 3)).toThrow(RecordParseError);
  });
});
