import type { ParserFactory } from '../core/components.js';
import { type FieldSpec, num, str } from './text/map-tokens.js';
import { positionalParserFactory } from './text/positional-parser.js';

/**
 * Application Load Balancer connection log fields (the TLS and mutual-TLS side of each
 * connection), in the order AWS writes them. The first layout (2023) ends at
 * tls_verify_status; conn_trace_id, then tls_keyexchange, elb and ip_address were appended.
 * The client certificate subject is quoted (it may hold spaces); the validity is kept as AWS
 * writes it (`NotBefore=...;NotAfter=...`). Fields beyond ip_address are kept as `field_<n>`
 * (AWS may write a trailing `-` before it documents a new field), up to MAX_APPENDED_FIELDS.
 */
export const albConnectionFields: readonly FieldSpec[] = [
  str('timestamp'),
  str('client_ip'),
  num('client_port'),
  num('listener_port'),
  str('tls_protocol'),
  str('tls_cipher'),
  num('tls_handshake_latency'),
  str('leaf_client_cert_subject'),
  str('leaf_client_cert_validity'),
  str('leaf_client_cert_serial_number'),
  str('tls_verify_status'),
  str('conn_trace_id'),
  str('tls_keyexchange'),
  str('elb'),
  str('ip_address'),
];

/** Through tls_verify_status: the first connection log layout. */
const MIN_FIELDS = 11;

export function albConnectionParserFactory(): ParserFactory {
  return positionalParserFactory({ type: 'alb_connection', fields: albConnectionFields, minFields: MIN_FIELDS });
}
