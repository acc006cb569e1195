import type { ParserFactory } from '../core/components.js';
import { addr, type FieldSpec, num, str } from './text/map-tokens.js';
import { positionalParserFactory } from './text/positional-parser.js';

/**
 * Network Load Balancer access log fields (TLS listeners only), in the order AWS writes them.
 * The layout grew by appending: lines before the ALPN fields (alpn_fe_protocol,
 * alpn_be_protocol, alpn_client_preference_list) end at domain_name, lines before
 * tls_connection_creation_time at alpn_client_preference_list. connection_time and tls_handshake_time are milliseconds.
 * `version` stays text (`2.0`). Nothing is quoted in this format: the ALPN preference list is
 * kept as AWS writes it, quotes and commas included (`"h2","http/1.1"`). Fields beyond
 * tls_connection_creation_time are kept as `field_<n>`, up to MAX_APPENDED_FIELDS of them.
 */
export const nlbFields: readonly FieldSpec[] = [
  str('type'),
  str('version'),
  str('time'),
  str('elb'),
  str('listener'),
  addr('client:port', 'client'),
  addr('destination:port', 'destination'),
  num('connection_time'),
  num('tls_handshake_time'),
  num('received_bytes'),
  num('sent_bytes'),
  num('incoming_tls_alert'),
  str('chosen_cert_arn'),
  str('chosen_cert_serial'),
  str('tls_cipher'),
  str('tls_protocol_version'),
  str('tls_named_group'),
  str('domain_name'),
  str('alpn_fe_protocol'),
  str('alpn_be_protocol'),
  str('alpn_client_preference_list'),
  str('tls_connection_creation_time'),
];

/** Through domain_name: the shortest layout, before the ALPN fields. */
const MIN_FIELDS = 18;

export function nlbParserFactory(): ParserFactory {
  return positionalParserFactory({ type: 'nlb', fields: nlbFields, minFields: MIN_FIELDS, plain: true });
}
