import type { ParserFactory } from '../core/components.js';
import { addr, type FieldSpec, num, req, str } from './text/map-tokens.js';
import { positionalParserFactory } from './text/positional-parser.js';

/**
 * Application Load Balancer access log fields, in the order AWS writes them. The layout
 * grew by appending: the 2016 lines end at trace_id; domain_name and chosen_cert_arn,
 * then matched_rule_priority, request_creation_time, actions_executed, redirect_url and
 * error_reason (2018), target:port_list and target_status_code_list, classification and
 * classification_reason (desync mitigation), conn_trace_id (2024), and transformed_host,
 * transformed_uri and request_transform_status (URL and host header rewrites, 2025) came
 * later. Older, shorter lines yield the fields they have; fields beyond these are kept as
 * `field_<n>` (1-based position, e.g. `field_34`).
 */
export const albFields: readonly FieldSpec[] = [
  str('type'),
  str('time'),
  str('elb'),
  addr('client:port', 'client'),
  addr('target:port', 'target'),
  num('request_processing_time'),
  num('target_processing_time'),
  num('response_processing_time'),
  num('elb_status_code'),
  num('target_status_code'),
  num('received_bytes'),
  num('sent_bytes'),
  req('request'),
  str('user_agent'),
  str('ssl_cipher'),
  str('ssl_protocol'),
  str('target_group_arn'),
  str('trace_id'),
  str('domain_name'),
  str('chosen_cert_arn'),
  num('matched_rule_priority'),
  str('request_creation_time'),
  str('actions_executed'),
  str('redirect_url'),
  str('error_reason'),
  str('target_port_list'),
  str('target_status_code_list'),
  str('classification'),
  str('classification_reason'),
  str('conn_trace_id'),
  str('transformed_host'),
  str('transformed_uri'),
  str('request_transform_status'),
];

/** Through the quoted request: every ALB layout since 2016 has at least these. */
const ALB_MIN_FIELDS = 13;

export function albParserFactory(): ParserFactory {
  return positionalParserFactory({ type: 'alb', fields: albFields, minFields: ALB_MIN_FIELDS });
}
