/**
 * The waf parser's fields under `schema: ecs` (docs/ECS.md has the table). ECS fields where ECS
 * has one; the rest keeps AWS's own camelCase names under `aws.waf`, so the structure AWS
 * documents (ruleGroupList, labels, headers) reads the same one level down.
 */
import type { Doc } from '../core/event.js';
import { ECS_VERSION, ENRICHMENT_MOVES, type FieldMoves } from './field-moves.js';
import { httpVersion, setIfText } from './value-forms.js';

/** A request header's value: from the waf_headers filter's map when it ran, else from AWS's array (names in any case). */
function header(request: Doc, name: string): string | undefined {
  const map = request.header_map;
  if (map !== null && typeof map === 'object' && !Array.isArray(map) && Object.hasOwn(map, name)) {
    const value = (map as Doc)[name];
    return typeof value === 'string' ? value : undefined;
  }
  if (!Array.isArray(request.headers)) return undefined;
  for (const entry of request.headers as unknown[]) {
    if (entry === null || typeof entry !== 'object') continue;
    const { name: key, value } = entry as Doc;
    if (typeof key === 'string' && key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

export const wafEcs: FieldMoves = {
  kind: 'waf',
  rest: 'aws.waf',
  moves: {
    ...ENRICHMENT_MOVES,
    webaclId: 'rule.ruleset',
    terminatingRuleId: 'rule.name',
    action: 'event.action',
    responseCodeSent: 'http.response.status_code',
    requestBodySize: 'http.request.body.bytes',
    ja3Fingerprint: 'tls.client.ja3',
    'httpRequest.clientIp': 'source.ip',
    'httpRequest.uri': 'url.path',
    'httpRequest.args': 'url.query',
    'httpRequest.httpMethod': 'http.request.method',
    'httpRequest.requestId': 'http.request.id',
    'httpRequest.host': 'url.domain',
    'httpRequest.scheme': 'url.scheme',
    'httpRequest.fragment': 'url.fragment',
  },
  kept: [
    'timestamp',
    'formatVersion',
    'terminatingRuleType',
    'terminatingRuleMatchDetails',
    'httpSourceName',
    'httpSourceId',
    'ruleGroupList',
    'rateBasedRuleList',
    'nonTerminatingMatchingRules',
    'requestHeadersInserted',
    'labels',
    'captchaResponse',
    'challengeResponse',
    'oversizeFields',
    'requestBodySizeInspectedByWAF',
    'ja4Fingerprint',
    'clientAsn',
    'cfDistributionTenantId',
    'httpRequest.country',
    'httpRequest.headers',
    'httpRequest.header_map',
    'httpRequest.httpVersion',
  ],
  derived: {
    'http.version': 'keyword',
    'user_agent.original': 'keyword',
    'http.request.referrer': 'keyword',
  },
  derive(aws, ecs) {
    const request = aws.httpRequest;
    if (request === null || typeof request !== 'object' || Array.isArray(request)) return;
    const fields = request as Doc;
    setIfText(ecs, ['http', 'version'], httpVersion(fields.httpVersion));
    setIfText(ecs, ['user_agent', 'original'], header(fields, 'user-agent'));
    setIfText(ecs, ['http', 'request', 'referrer'], header(fields, 'referer'));
  },
  types: { 'http.response.status_code': 'long' },
  constants: {
    'ecs.version': ECS_VERSION,
    'cloud.provider': 'aws',
    'event.kind': 'event',
    'event.category': ['web', 'network'],
    'event.dataset': 'aws.waf',
    'observer.vendor': 'AWS',
    'observer.product': 'WAF',
  },
};
