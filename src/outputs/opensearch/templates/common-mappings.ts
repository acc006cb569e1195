/**
 * Mappings every built-in template shares: the event time, tags, GeoIP and user-agent
 * enrichment, and how fields the template does not name are treated.
 */
import { MAX_APPENDED_FIELDS } from '../../../parsers/text/map-tokens.js';

export type Mapping = Record<string, unknown>;

/** Keyword limit in characters: Lucene refuses terms above 32766 bytes, and a character takes up to 4. */
export const KEYWORD = { type: 'keyword', ignore_above: 8191 } as const;

/**
 * Fields AWS may append after a positional format's `known` ones, as the text parsers keep them:
 * `field_<known + 1>` up to their cap (MAX_APPENDED_FIELDS).
 */
export function appendedFields(known: number): Record<string, Mapping> {
  const fields: Record<string, Mapping> = {};
  for (let n = known + 1; n <= known + MAX_APPENDED_FIELDS; n++) fields[`field_${n}`] = KEYWORD;
  return fields;
}

/** What the geoip filter writes (GeoipResult in filters/geoip-filter.ts), at its default target `geoip`. */
export const geoipProperties: Record<string, Mapping> = {
  ip: { type: 'ip' },
  location: { type: 'geo_point' },
  city_name: KEYWORD,
  country_name: KEYWORD,
  country_iso_code: KEYWORD,
  continent_code: KEYWORD,
  region_name: KEYWORD,
  region_iso_code: KEYWORD,
  postal_code: KEYWORD,
  timezone: KEYWORD,
  // From asn_database (GeoLite2-ASN, GeoIP2-ISP): AS numbers reach 4294967295, past an integer.
  asn: { type: 'long' },
  organization_name: KEYWORD,
};

/**
 * What the user_agent filter writes (UserAgentResult in filters/user-agent-filter.ts), at its
 * default target `user_agent_info`. Versions are text ("126.0.2592", "2.1"), as uap-core gives them.
 */
export const userAgentProperties: Record<string, Mapping> = {
  name: KEYWORD,
  version: KEYWORD,
  major: KEYWORD,
  minor: KEYWORD,
  patch: KEYWORD,
  os: { properties: { name: KEYWORD, version: KEYWORD, full: KEYWORD } },
  device: { properties: { name: KEYWORD } },
};

export const commonProperties: Record<string, Mapping> = {
  '@timestamp': { type: 'date' },
  // Failure tags (_geoip_lookup_failure, _dateparsefailure, _invalid_utf8) and any the user adds.
  tags: KEYWORD,
  geoip: { properties: geoipProperties },
  user_agent_info: { properties: userAgentProperties },
};

/**
 * The root of a built-in mapping. By default (`dynamic: false`) fields the template does not
 * name are kept in `_source` but not mapped: log content is hostile, and one line with a
 * thousand new keys would otherwise fill index.mapping.total_fields.limit (1000), after which
 * every document bringing a new field is rejected until the next index. With `dynamic: true`
 * unknown fields are mapped as they come, strings as keywords.
 */
export function rootMappings(dynamic: boolean): Mapping {
  if (!dynamic) return { dynamic: false };
  return {
    dynamic: true,
    // Date-looking strings stay keywords unless mapped as dates here: a guessed date mapping breaks on the next odd value.
    date_detection: false,
    dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: KEYWORD } }],
  };
}
