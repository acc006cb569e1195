import type { SavedObject } from './saved-object.js';

/** A field a saved object uses, and where (for messages). */
export interface FieldUse {
  field: string;
  objectId: string;
  /** Whether Dashboards aggregates on it (terms, metrics, histograms) or only shows it (a saved search's columns). */
  aggregated: boolean;
}

/** Field names in KQL we write ourselves: `name:value`, `name >= 0`, `NOT name:value`. */
const KQL_FIELD = /([A-Za-z_@][\w.@-]*)\s*(?::|>=|<=|>|<)/g;

export function kqlFields(query: string): string[] {
  return [...query.matchAll(KQL_FIELD)].map((match) => match[1]!);
}

/** The query with each field kqlFields finds renamed by `rename` (the ECS variant of a bundle). */
export function renameKqlFields(query: string, rename: (field: string) => string): string {
  return query.replace(KQL_FIELD, (match, field: string) => rename(field) + match.slice(field.length));
}

interface VisState {
  aggs?: Array<{ params?: { field?: unknown; filters?: Array<{ input?: { query?: unknown } }> } }>;
}

function searchSourceQuery(object: SavedObject): string {
  const meta = object.attributes.kibanaSavedObjectMeta as { searchSourceJSON?: string } | undefined;
  const source = JSON.parse(meta?.searchSourceJSON ?? '{}') as { query?: { query?: unknown } };
  return typeof source.query?.query === 'string' ? source.query.query : '';
}

function visualizationFields(object: SavedObject): string[] {
  const state = JSON.parse(String(object.attributes.visState)) as VisState;
  return (state.aggs ?? []).flatMap((agg) => [
    ...(typeof agg.params?.field === 'string' ? [agg.params.field] : []),
    ...(agg.params?.filters ?? []).flatMap((filter) =>
      typeof filter.input?.query === 'string' ? kqlFields(filter.input.query) : [],
    ),
  ]);
}

/**
 * Every field the saved objects name: aggregation fields, fields in the queries of
 * visualizations, searches and filters aggregations, saved search columns and sort fields,
 * and index pattern time fields. A test checks each against the index templates and the
 * cluster's field capabilities.
 */
export function fieldsUsed(objects: SavedObject[]): FieldUse[] {
  const uses: FieldUse[] = [];
  for (const object of objects) {
    const aggregated: string[] = [];
    let shown: string[] = [];
    if (object.type === 'index-pattern' && typeof object.attributes.timeFieldName === 'string') {
      aggregated.push(object.attributes.timeFieldName);
    }
    if (object.type === 'visualization') aggregated.push(...visualizationFields(object));
    if (object.type === 'visualization' || object.type === 'search')
      aggregated.push(...kqlFields(searchSourceQuery(object)));
    if (object.type === 'search') {
      shown = (object.attributes.columns as string[] | undefined) ?? [];
      for (const [field] of (object.attributes.sort as string[][] | undefined) ?? []) aggregated.push(field!);
    }
    for (const field of aggregated) uses.push({ field, objectId: object.id, aggregated: true });
    for (const field of shown) uses.push({ field, objectId: object.id, aggregated: false });
  }
  return uses;
}
