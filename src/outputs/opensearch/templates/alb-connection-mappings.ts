import { albConnectionFields } from '../../../parsers/alb-connection-parser.js';
import { appendedFields, KEYWORD, type Mapping } from './common-mappings.js';

/** Application Load Balancer connection log fields as the alb_connection parser emits them, every one mapped. */
export const albConnectionProperties: Record<string, Mapping> = {
  timestamp: { type: 'date' },
  client_ip: { type: 'ip' },
  client_port: { type: 'integer' },
  listener_port: { type: 'integer' },
  tls_protocol: KEYWORD,
  tls_cipher: KEYWORD,
  // Seconds, with millisecond precision.
  tls_handshake_latency: { type: 'double' },
  leaf_client_cert_subject: KEYWORD,
  // `NotBefore=...;NotAfter=...` as AWS writes it.
  leaf_client_cert_validity: KEYWORD,
  leaf_client_cert_serial_number: KEYWORD,
  tls_verify_status: KEYWORD,
  // The key that joins a connection to its requests in the ALB access logs (alb template, conn_trace_id).
  conn_trace_id: KEYWORD,
  tls_keyexchange: KEYWORD,
  elb: KEYWORD,
  ip_address: { type: 'ip' },
  ...appendedFields(albConnectionFields.length),
};
