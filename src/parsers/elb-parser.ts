import type { ParserFactory } from '../core/components.js';
import { addr, type FieldSpec, num, req, str } from './text/map-tokens.js';
import { positionalParserFactory } from './text/positional-parser.js';

/**
 * Classic Load Balancer access log fields. Lines written before user_agent, ssl_cipher and
 * ssl_protocol were added (2015) end at the request. TCP listeners write `-` for the HTTP
 * fields and `"- - - "` for the request, which becomes three nulls.
 */
export const elbFields: readonly FieldSpec[] = [
  str('time'),
  str('elb'),
  addr('client:port', 'client'),
  addr('backend:port', 'backend'),
  num('request_processing_time'),
  num('backend_processing_time'),
  num('response_processing_time'),
  num('elb_status_code'),
  num('backend_status_code'),
  num('received_bytes'),
  num('sent_bytes'),
  req('request'),
  str('user_agent'),
  str('ssl_cipher'),
  str('ssl_protocol'),
];

export function elbParserFactory(): ParserFactory {
  return positionalParserFactory({ type: 'elb', fields: elbFields, minFields: 12 });
}
