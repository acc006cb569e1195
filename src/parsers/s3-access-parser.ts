import type { ParserFactory } from '../core/components.js';
import { type FieldSpec, num, req, str } from './text/map-tokens.js';
import { positionalParserFactory } from './text/positional-parser.js';

/**
 * S3 server access log fields. `time` is written in brackets (`[06/Feb/2019:00:00:38 +0000]`)
 * and kept without them. The quoted Request-URI is kept whole as request_uri and also split
 * like the load balancers' request into request_method, request_url and request_protocol.
 * Older lines end earlier (signature_version onwards were appended over the years); appended fields beyond
 * source_region are kept as `field_<n>` (up to MAX_APPENDED_FIELDS of them).
 */
export const s3AccessFields: readonly FieldSpec[] = [
  str('bucket_owner'),
  str('bucket'),
  str('time'),
  str('remote_ip'),
  str('requester'),
  str('request_id'),
  str('operation'),
  str('key'),
  req('request_uri', { keepWhole: true }),
  num('http_status'),
  str('error_code'),
  num('bytes_sent'),
  num('object_size'),
  num('total_time'),
  num('turn_around_time'),
  str('referer'),
  str('user_agent'),
  str('version_id'),
  str('host_id'),
  str('signature_version'),
  str('cipher_suite'),
  str('authentication_type'),
  str('host_header'),
  str('tls_version'),
  str('access_point_arn'),
  str('acl_required'),
  str('source_region'),
];

export function s3AccessParserFactory(): ParserFactory {
  return positionalParserFactory({ type: 's3_access', fields: s3AccessFields, minFields: 10, brackets: true });
}
