/**
 * The alb parser's fields under `schema: ecs` (docs/ECS.md has the table). ECS fields where ECS
 * has one; otherwise Filebeat's aws module names under `aws.elb` (backend, the three
 * `*_processing_time.sec`), so dashboards and queries written for Filebeat's ALB data mostly fit.
 */
import type { Doc } from '../core/event.js';
import { ECS_VERSION, ENRICHMENT_MOVES, type FieldMoves } from './field-moves.js';
import { httpVersion, setIfText, tlsVersion } from './value-forms.js';

const NANOS_PER_SECOND = 1e9;

/** `scheme://host[:port]path[?query]` as ALB writes request_url; anything else gives no url.* parts. */
const ABSOLUTE_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/?#:]*)(?::(\d{1,5}))?([^?#]*)(?:\?([^#]*))?/;

/** The request's total time at the load balancer, in nanoseconds, when ALB measured all three parts (it writes -1 otherwise). */
function duration(doc: Doc): number | undefined {
  const parts = [doc.request_processing_time, doc.target_processing_time, doc.response_processing_time];
  let seconds = 0;
  for (const part of parts) {
    if (typeof part !== 'number' || part < 0) return undefined;
    seconds += part;
  }
  return Math.round(seconds * NANOS_PER_SECOND);
}

function deriveUrl(url: unknown, ecs: Doc): void {
  if (typeof url !== 'string') return;
  const match = ABSOLUTE_URL.exec(url);
  if (!match) return;
  const target = ecs.url as Doc;
  target.scheme = match[1]!.toLowerCase();
  if (match[2]) target.domain = match[2];
  if (match[3] !== undefined) target.port = Number(match[3]);
  target.path = match[4] === '' ? '/' : match[4];
  if (match[5] !== undefined) target.query = match[5];
}

export const albEcs: FieldMoves = {
  kind: 'alb',
  rest: 'aws.elb',
  moves: {
    ...ENRICHMENT_MOVES,
    time: 'event.end',
    elb: 'aws.elb.name',
    client_ip: 'source.ip',
    client_port: 'source.port',
    target_ip: 'aws.elb.backend.ip',
    target_port: 'aws.elb.backend.port',
    request_processing_time: 'aws.elb.request_processing_time.sec',
    target_processing_time: 'aws.elb.backend_processing_time.sec',
    response_processing_time: 'aws.elb.response_processing_time.sec',
    elb_status_code: 'http.response.status_code',
    target_status_code: 'aws.elb.backend.http.response.status_code',
    received_bytes: 'http.request.bytes',
    sent_bytes: 'http.response.bytes',
    request_method: 'http.request.method',
    request_url: 'url.original',
    user_agent: 'user_agent.original',
    ssl_cipher: 'tls.cipher',
    target_group_arn: 'aws.elb.target_group.arn',
    domain_name: 'tls.client.server_name',
    chosen_cert_arn: 'aws.elb.chosen_cert.arn',
    request_creation_time: 'event.start',
    error_reason: 'aws.elb.error.message',
  },
  kept: [
    'type',
    'request_protocol',
    'ssl_protocol',
    'trace_id',
    'matched_rule_priority',
    'actions_executed',
    'redirect_url',
    'target_port_list',
    'target_status_code_list',
    'classification',
    'classification_reason',
    'conn_trace_id',
    'transformed_host',
    'transformed_uri',
    'request_transform_status',
  ],
  derived: {
    'event.duration': 'long',
    'http.version': 'keyword',
    'tls.version': 'keyword',
    'tls.version_protocol': 'keyword',
    'url.scheme': 'keyword',
    'url.domain': 'keyword',
    'url.port': 'long',
    'url.path': 'keyword',
    'url.query': 'keyword',
  },
  derive(aws, ecs) {
    const nanos = duration(aws);
    if (nanos !== undefined) (ecs.event as Doc).duration = nanos;
    setIfText(ecs, ['http', 'version'], httpVersion(aws.request_protocol));
    const tls = tlsVersion(aws.ssl_protocol);
    if (tls) {
      setIfText(ecs, ['tls', 'version'], tls.version);
      setIfText(ecs, ['tls', 'version_protocol'], tls.protocol);
    }
    if (typeof aws.request_url === 'string') {
      ecs.url ??= {};
      deriveUrl(aws.request_url, ecs);
    }
  },
  types: {
    'source.port': 'long',
    'aws.elb.backend.port': 'long',
    'http.response.status_code': 'long',
    'aws.elb.backend.http.response.status_code': 'long',
  },
  constants: {
    'ecs.version': ECS_VERSION,
    'cloud.provider': 'aws',
    'event.kind': 'event',
    'event.category': ['web'],
    'event.type': ['access'],
    'event.dataset': 'aws.elb_logs',
  },
};
