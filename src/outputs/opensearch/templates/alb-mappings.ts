import { KEYWORD, type Mapping } from './common-mappings.js';

/** Application Load Balancer access log fields as the alb parser emits them (DESIGN.md §5). */
export const albProperties: Record<string, Mapping> = {
  time: { type: 'date' },
  request_creation_time: { type: 'date' },
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
  elb: KEYWORD,
  type: KEYWORD,
  trace_id: KEYWORD,
  domain_name: KEYWORD,
  // "-" or a number in the log; a keyword takes both without a mapping conflict.
  matched_rule_priority: KEYWORD,
};
