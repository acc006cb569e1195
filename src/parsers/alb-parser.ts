import type { ParserFactory } from '../core/components.js';
import { RecordParseError } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import { addr, type FieldSpec, num, req, str, toNumber } from './text/map-tokens.js';
import { positionalParserFactory } from './text/positional-parser.js';

/**
 * Application Load Balancer access log fields, in the order AWS writes them. The layout
 * grew by appending: the 2016 lines end at trace_id; domain_name and chosen_cert_arn,
 * then matched_rule_priority, request_creation_time, actions_executed, redirect_url and
 * error_reason (2018), target:port_list and target_status_code_list, classification and
 * classification_reason (desync mitigation), conn_trace_id (2024), and transformed_host,
 * transformed_uri and request_transform_status (URL and host header rewrites, 2025) came
 * later. Older, shorter lines yield the fields they have; fields beyond these are kept as
 * `field_<n>` (1-based position, e.g. `field_34`), up to MAX_APPENDED_FIELDS of them; a longer
 * line is a parse failure (positional-parser.ts).
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

/** The current layout's length: lines of exactly this many fields (or more) take the fast path. */
const ALB_CURRENT_FIELDS = 33;

type Context = { key: string; record: number };

export function albParserFactory(): ParserFactory {
  return positionalParserFactory({
    type: 'alb',
    fields: albFields,
    minFields: ALB_MIN_FIELDS,
    build: buildAlbDocument,
  });
}

/**
 * The hot path. A current-layout line becomes one object literal, so V8 creates the document
 * with its final shape at once (and JSON.stringify takes its fast path later). An older,
 * shorter line gets the fields every layout has as a literal, then the appended fields it has
 * by named stores in a fixed order: still one shape per layout, no keyed stores.
 */
function buildAlbDocument(t: readonly (string | null)[], count: number, context: Context): Doc {
  if (count < ALB_CURRENT_FIELDS) return buildOlderAlbDocument(t, count, context);
  const client = t[3]!;
  const target = t[4]!;
  const request = t[12]!;
  const doc: Doc = {
    type: t[0],
    time: t[1],
    elb: t[2],
    client_ip: addressIp(client, 'client:port', context),
    client_port: addressPort(client, 'client_port', context),
    target_ip: addressIp(target, 'target:port', context),
    target_port: addressPort(target, 'target_port', context),
    request_processing_time: number(t[5]!, 'request_processing_time', context),
    target_processing_time: number(t[6]!, 'target_processing_time', context),
    response_processing_time: number(t[7]!, 'response_processing_time', context),
    elb_status_code: number(t[8]!, 'elb_status_code', context),
    target_status_code: number(t[9]!, 'target_status_code', context),
    received_bytes: number(t[10]!, 'received_bytes', context),
    sent_bytes: number(t[11]!, 'sent_bytes', context),
    request_method: requestMethod(request),
    request_url: requestUrl(request),
    request_protocol: requestProtocol(request),
    user_agent: t[13],
    ssl_cipher: t[14],
    ssl_protocol: t[15],
    target_group_arn: t[16],
    trace_id: t[17],
    domain_name: t[18],
    chosen_cert_arn: t[19],
    matched_rule_priority: number(t[20]!, 'matched_rule_priority', context),
    request_creation_time: t[21],
    actions_executed: t[22],
    redirect_url: t[23],
    error_reason: t[24],
    target_port_list: t[25],
    target_status_code_list: t[26],
    classification: t[27],
    classification_reason: t[28],
    conn_trace_id: t[29],
    transformed_host: t[30],
    transformed_uri: t[31],
    request_transform_status: t[32],
  };
  for (let i = ALB_CURRENT_FIELDS; i < count; i++) doc[`field_${i + 1}`] = t[i];
  return doc;
}

/** Lines of 13 to 32 fields: the 2016 to 2024 layouts (or a line cut short). */
function buildOlderAlbDocument(t: readonly (string | null)[], count: number, context: Context): Doc {
  const client = t[3]!;
  const target = t[4]!;
  const request = t[12]!;
  const doc: Doc = {
    type: t[0],
    time: t[1],
    elb: t[2],
    client_ip: addressIp(client, 'client:port', context),
    client_port: addressPort(client, 'client_port', context),
    target_ip: addressIp(target, 'target:port', context),
    target_port: addressPort(target, 'target_port', context),
    request_processing_time: number(t[5]!, 'request_processing_time', context),
    target_processing_time: number(t[6]!, 'target_processing_time', context),
    response_processing_time: number(t[7]!, 'response_processing_time', context),
    elb_status_code: number(t[8]!, 'elb_status_code', context),
    target_status_code: number(t[9]!, 'target_status_code', context),
    received_bytes: number(t[10]!, 'received_bytes', context),
    sent_bytes: number(t[11]!, 'sent_bytes', context),
    request_method: requestMethod(request),
    request_url: requestUrl(request),
    request_protocol: requestProtocol(request),
  };
  if (count > 13) doc.user_agent = t[13];
  if (count > 14) doc.ssl_cipher = t[14];
  if (count > 15) doc.ssl_protocol = t[15];
  if (count > 16) doc.target_group_arn = t[16];
  if (count > 17) doc.trace_id = t[17];
  if (count > 18) doc.domain_name = t[18];
  if (count > 19) doc.chosen_cert_arn = t[19];
  if (count > 20) doc.matched_rule_priority = number(t[20]!, 'matched_rule_priority', context);
  if (count > 21) doc.request_creation_time = t[21];
  if (count > 22) doc.actions_executed = t[22];
  if (count > 23) doc.redirect_url = t[23];
  if (count > 24) doc.error_reason = t[24];
  if (count > 25) doc.target_port_list = t[25];
  if (count > 26) doc.target_status_code_list = t[26];
  if (count > 27) doc.classification = t[27];
  if (count > 28) doc.classification_reason = t[28];
  if (count > 29) doc.conn_trace_id = t[29];
  if (count > 30) doc.transformed_host = t[30];
  if (count > 31) doc.transformed_uri = t[31];
  return doc;
}

function number(value: string | null, field: string, context: Context): number | null {
  return value === null ? null : toNumber(value, field, context);
}

function addressIp(value: string | null, field: string, context: Context): string | null {
  if (value === null) return null;
  const colon = value.lastIndexOf(':');
  if (colon === -1) {
    throw new RecordParseError(`field ${field}: ${JSON.stringify(value)} is not ip:port`, { ...context, field });
  }
  return value.slice(0, colon);
}

function addressPort(value: string | null, field: string, context: Context): number | null {
  return value === null ? null : toNumber(value.slice(value.lastIndexOf(':') + 1), field, context);
}

/** Request parts as the generic mapping splits them (see map-tokens.ts): method, URL (may hold spaces), protocol. */
function requestEnd(request: string): number {
  let end = request.length;
  while (end > 0 && request.charCodeAt(end - 1) === 32) end--;
  return end;
}

function part(value: string): string | null {
  return value === '-' || value === '' ? null : value;
}

function requestMethod(request: string | null): string | null {
  if (request === null) return null;
  const end = requestEnd(request);
  const first = request.indexOf(' ');
  return part(request.slice(0, first === -1 || first >= end ? end : first));
}

function requestUrl(request: string | null): string | null {
  if (request === null) return null;
  const end = requestEnd(request);
  const first = request.indexOf(' ');
  if (first === -1 || first >= end) return null;
  const last = request.lastIndexOf(' ', end - 1);
  return part(request.slice(first + 1, last === first ? end : last));
}

function requestProtocol(request: string | null): string | null {
  if (request === null) return null;
  const end = requestEnd(request);
  const first = request.indexOf(' ');
  if (first === -1 || first >= end) return null;
  const last = request.lastIndexOf(' ', end - 1);
  return last === first ? null : part(request.slice(last + 1, end));
}
