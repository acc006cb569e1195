import { type AggSpec, TIME_FIELD } from './saved-object.js';

/**
 * Aggregations as a visualization's visState holds them. Only the parameters that differ
 * from Dashboards' defaults are given; Dashboards fills in the rest when it loads them.
 */
export function count(label?: string): AggSpec {
  return { type: 'count', schema: 'metric', params: label ? { customLabel: label } : {} };
}

export function metric(type: 'sum' | 'avg' | 'max' | 'min' | 'cardinality', field: string, label: string): AggSpec {
  return { type, schema: 'metric', params: { field, customLabel: label } };
}

export function percentiles(field: string, percents: number[], label: string): AggSpec {
  return { type: 'percentiles', schema: 'metric', params: { field, percents, customLabel: label } };
}

/** Buckets by event time; Dashboards picks the interval from the time range. */
export function overTime(schema = 'segment'): AggSpec {
  return {
    type: 'date_histogram',
    schema,
    params: {
      field: TIME_FIELD,
      useNormalizedOpenSearchInterval: true,
      scaleMetricValues: false,
      interval: 'auto',
      drop_partials: false,
      min_doc_count: 1,
      extended_bounds: {},
    },
  };
}

/** The top `size` values of a field, ordered by the first metric (agg id 1). */
export function terms(field: string, size: number, schema: string, label: string): AggSpec {
  return {
    type: 'terms',
    schema,
    params: {
      field,
      orderBy: '1',
      order: 'desc',
      size,
      otherBucket: false,
      otherBucketLabel: 'Other',
      missingBucket: false,
      missingBucketLabel: 'Missing',
      customLabel: label,
    },
  };
}

/** One bucket per KQL query, each with its label (e.g. all requests and 5xx responses). */
export function filters(schema: string, queries: Array<{ query: string; label: string }>): AggSpec {
  return {
    type: 'filters',
    schema,
    params: { filters: queries.map(({ query, label }) => ({ input: { query, language: 'kuery' }, label })) },
  };
}

/** Geohash cells of a geo_point field, for a coordinate map. */
export function geohash(field: string): AggSpec {
  return {
    type: 'geohash_grid',
    schema: 'segment',
    params: {
      field,
      autoPrecision: true,
      precision: 2,
      useGeocentroid: true,
      isFilteredByCollar: true,
      mapZoom: 2,
      mapCenter: [0, 0],
    },
  };
}
