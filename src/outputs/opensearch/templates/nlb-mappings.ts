import { nlbFields } from '../../../parsers/nlb-parser.js';
import { appendedFields, KEYWORD, type Mapping } from './common-mappings.js';

/** Network Load Balancer access log fields as the nlb parser emits them, every one mapped. */
export const nlbProperties: Record<string, Mapping> = {
  type: KEYWORD,
  version: KEYWORD,
  time: { type: 'date' },
  elb: KEYWORD,
  listener: KEYWORD,
  client_ip: { type: 'ip' },
  client_port: { type: 'integer' },
  destination_ip: { type: 'ip' },
  destination_port: { type: 'integer' },
  // Milliseconds.
  connection_time: { type: 'long' },
  tls_handshake_time: { type: 'long' },
  received_bytes: { type: 'long' },
  sent_bytes: { type: 'long' },
  incoming_tls_alert: { type: 'integer' },
  chosen_cert_arn: KEYWORD,
  chosen_cert_serial: KEYWORD,
  tls_cipher: KEYWORD,
  tls_protocol_version: KEYWORD,
  tls_named_group: KEYWORD,
  domain_name: KEYWORD,
  alpn_fe_protocol: KEYWORD,
  alpn_be_protocol: KEYWORD,
  alpn_client_preference_list: KEYWORD,
  tls_connection_creation_time: { type: 'date' },
  ...appendedFields(nlbFields.length),
};
