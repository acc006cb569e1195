/**
 * Mappings every built-in template shares: the event time, GeoIP enrichment, and the rule that
 * strings are keywords (exact match, aggregations) unless a template says otherwise.
 */
export type Mapping = Record<string, unknown>;

/** Keyword limit in characters: Lucene refuses terms above 32766 bytes, and a character takes up to 4. */
export const KEYWORD = { type: 'keyword', ignore_above: 8191 } as const;

export const commonProperties: Record<string, Mapping> = {
  '@timestamp': { type: 'date' },
  geoip: {
    properties: {
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
    },
  },
};

export const commonMappings = {
  // Date-looking strings stay keywords unless mapped as dates here: a guessed date mapping breaks on the next odd value.
  date_detection: false,
  dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: KEYWORD } }],
};
