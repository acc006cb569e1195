import { s3AccessFields } from '../../../parsers/s3-access-parser.js';
import { appendedFields, KEYWORD, type Mapping } from './common-mappings.js';

/** S3 server access log fields as the s3_access parser emits them, every one mapped. */
export const s3AccessProperties: Record<string, Mapping> = {
  bucket_owner: KEYWORD,
  bucket: KEYWORD,
  // `06/Feb/2019:00:00:38 +0000`: the date filter (format s3_access) makes @timestamp of it.
  time: KEYWORD,
  remote_ip: { type: 'ip' },
  requester: KEYWORD,
  request_id: KEYWORD,
  operation: KEYWORD,
  key: KEYWORD,
  request_uri: KEYWORD,
  request_method: KEYWORD,
  request_url: KEYWORD,
  request_protocol: KEYWORD,
  http_status: { type: 'short' },
  error_code: KEYWORD,
  bytes_sent: { type: 'long' },
  object_size: { type: 'long' },
  // Milliseconds.
  total_time: { type: 'long' },
  turn_around_time: { type: 'long' },
  referer: KEYWORD,
  user_agent: KEYWORD,
  version_id: KEYWORD,
  host_id: KEYWORD,
  signature_version: KEYWORD,
  cipher_suite: KEYWORD,
  authentication_type: KEYWORD,
  host_header: KEYWORD,
  tls_version: KEYWORD,
  access_point_arn: KEYWORD,
  acl_required: KEYWORD,
  source_region: KEYWORD,
  ...appendedFields(s3AccessFields.length),
};
