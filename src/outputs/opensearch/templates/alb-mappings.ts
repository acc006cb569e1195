import { albFields } from '../../../parsers/alb-parser.js';
import { appendedFields, KEYWORD, type Mapping } from './common-mappings.js';

/** Application Load Balancer access log fields as the alb parser emits them, every one mapped. */
export const albProperties: Record<string, Mapping> = {
  type: KEYWORD,
  time: { type: 'date' },
  elb: KEYWORD,
  client_ip: { type: 'ip' },
  client_port: { type: 'integer' },
  target_ip: { type: 'ip' },
  target_port: { type: 'integer' },
  request_processing_time: { type: 'double' },
  target_processing_time: { type: 'double' },
  response_processing_time: { type: 'double' },
  elb_status_code: { type: 'short' },
  target_status_code: { type: 'short' },
  received_bytes: { type: 'long' },
  sent_bytes: { type: 'long' },
  request_method: KEYWORD,
  request_url: KEYWORD,
  request_protocol: KEYWORD,
  user_agent: KEYWORD,
  ssl_cipher: KEYWORD,
  ssl_protocol: KEYWORD,
  target_group_arn: KEYWORD,
  trace_id: KEYWORD,
  domain_name: KEYWORD,
  chosen_cert_arn: KEYWORD,
  // "-" or a number in the log; a keyword takes both without a mapping conflict.
  matched_rule_priority: KEYWORD,
  request_creation_time: { type: 'date' },
  actions_executed: KEYWORD,
  redirect_url: KEYWORD,
  error_reason: KEYWORD,
  // "ip:port ip:port" and "200 502": lists as AWS writes them, one keyword each.
  target_port_list: KEYWORD,
  target_status_code_list: KEYWORD,
  classification: KEYWORD,
  classification_reason: KEYWORD,
  conn_trace_id: KEYWORD,
  transformed_host: KEYWORD,
  transformed_uri: KEYWORD,
  request_transform_status: KEYWORD,
  // Fields AWS may append after the known ones: field_34 and so on, up to the parser's cap.
  ...appendedFields(albFields.length),
};
