import { KEYWORD, type Mapping } from './common-mappings.js';

/** AWS WAF log fields in AWS's own camelCase structure (DESIGN.md §5). */
export const wafProperties: Record<string, Mapping> = {
  timestamp: { type: 'date', format: 'epoch_millis' },
  formatVersion: { type: 'integer' },
  webaclId: KEYWORD,
  terminatingRuleId: KEYWORD,
  terminatingRuleType: KEYWORD,
  action: KEYWORD,
  httpSourceName: KEYWORD,
  httpSourceId: KEYWORD,
  responseCodeSent: { type: 'short' },
  requestBodySize: { type: 'long' },
  requestBodySizeInspectedByWAF: { type: 'long' },
  ja3Fingerprint: KEYWORD,
  ja4Fingerprint: KEYWORD,
  httpRequest: {
    properties: {
      clientIp: { type: 'ip' },
      country: KEYWORD,
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
