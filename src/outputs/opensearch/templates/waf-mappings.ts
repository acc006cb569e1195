import { KEYWORD, type Mapping } from './common-mappings.js';

/** A `{name, value}` pair, as WAF writes request headers, inserted headers and rate-based keys. */
const NAME_VALUE: Mapping = { properties: { name: KEYWORD, value: KEYWORD } };

/** What a rule matched: SQLi/XSS details, with the matched data as AWS logs it. */
const MATCH_DETAILS: Mapping = {
  properties: {
    conditionType: KEYWORD,
    sensitivityLevel: KEYWORD,
    location: KEYWORD,
    matchedData: KEYWORD,
    matchedFieldName: KEYWORD,
  },
};

/** A rule that matched: its id, action, a rule group's override, and match details. */
const MATCHING_RULE: Mapping = {
  properties: { ruleId: KEYWORD, action: KEYWORD, overriddenAction: KEYWORD, ruleMatchDetails: MATCH_DETAILS },
};

/** CAPTCHA and challenge outcomes; solveTimestamp is epoch seconds. */
const TOKEN_RESPONSE: Mapping = {
  properties: { responseCode: { type: 'integer' }, solveTimestamp: { type: 'long' }, failureReason: KEYWORD },
};

/**
 * Headers the waf_headers filter lifts into `httpRequest.header_map`: the ones analysts filter
 * on (the shipped pipelines/waf.yml allowlist and common request headers). Others stay in
 * `_source`, and every header's name and value is searchable in `httpRequest.headers`.
 */
const HEADER_MAP_NAMES = [
  'host',
  'user-agent',
  'referer',
  'origin',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-real-ip',
  'x-amzn-trace-id',
  'x-requested-with',
  'content-type',
  'content-length',
  'accept',
  'accept-encoding',
  'accept-language',
  'authorization',
  'cookie',
  'x-api-key',
];

/** AWS WAF log fields in AWS's own camelCase structure, every documented one mapped. */
export const wafProperties: Record<string, Mapping> = {
  timestamp: { type: 'date', format: 'epoch_millis' },
  formatVersion: { type: 'integer' },
  webaclId: KEYWORD,
  terminatingRuleId: KEYWORD,
  terminatingRuleType: KEYWORD,
  action: KEYWORD,
  terminatingRuleMatchDetails: MATCH_DETAILS,
  httpSourceName: KEYWORD,
  httpSourceId: KEYWORD,
  ruleGroupList: {
    properties: {
      ruleGroupId: KEYWORD,
      terminatingRule: MATCHING_RULE,
      nonTerminatingMatchingRules: MATCHING_RULE,
      excludedRules: { properties: { exclusionType: KEYWORD, ruleId: KEYWORD } },
    },
  },
  rateBasedRuleList: {
    properties: {
      rateBasedRuleId: KEYWORD,
      rateBasedRuleName: KEYWORD,
      limitKey: KEYWORD,
      maxRateAllowed: { type: 'long' },
      evaluationWindowSec: { type: 'long' },
      limitValue: KEYWORD,
      customValues: { properties: { key: KEYWORD, name: KEYWORD, value: KEYWORD } },
    },
  },
  nonTerminatingMatchingRules: MATCHING_RULE,
  requestHeadersInserted: NAME_VALUE,
  responseCodeSent: { type: 'integer' },
  labels: { properties: { name: KEYWORD } },
  captchaResponse: TOKEN_RESPONSE,
  challengeResponse: TOKEN_RESPONSE,
  oversizeFields: KEYWORD,
  requestBodySize: { type: 'long' },
  requestBodySizeInspectedByWAF: { type: 'long' },
  ja3Fingerprint: KEYWORD,
  ja4Fingerprint: KEYWORD,
  clientAsn: KEYWORD,
  cfDistributionTenantId: KEYWORD,
  httpRequest: {
    properties: {
      clientIp: { type: 'ip' },
      country: KEYWORD,
      headers: NAME_VALUE,
      header_map: { properties: Object.fromEntries(HEADER_MAP_NAMES.map((name) => [name, KEYWORD])) },
      uri: KEYWORD,
      args: KEYWORD,
      httpVersion: KEYWORD,
      httpMethod: KEYWORD,
      requestId: KEYWORD,
      host: KEYWORD,
      scheme: KEYWORD,
      fragment: KEYWORD,
    },
  },
};
