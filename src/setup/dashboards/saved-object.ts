/**
 * OpenSearch Dashboards saved objects as the import API takes them (one JSON object per
 * line of an ndjson file): index patterns, visualizations, saved searches and dashboards,
 * each naming the objects it uses in `references` by type and id.
 */
export interface SavedObjectReference {
  name: string;
  type: SavedObjectType;
  id: string;
}

export type SavedObjectType = 'index-pattern' | 'visualization' | 'search' | 'dashboard';

export interface SavedObject {
  type: SavedObjectType;
  id: string;
  attributes: Record<string, unknown>;
  references: SavedObjectReference[];
  /**
   * The newest migration of each type in Dashboards 2.x (forked from Kibana 7.10): objects
   * already at it are imported as they are, not rewritten by older migrations.
   */
  migrationVersion: Record<string, string>;
}

/** The reference name Dashboards gives the index pattern of a visualization or saved search. */
export const SEARCH_INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

export const TIME_FIELD = '@timestamp';

function kuery(query: string): { query: string; language: 'kuery' } {
  return { query, language: 'kuery' };
}

/** An index pattern on sluice's event time. Its `fields` are left out: Dashboards reads them from the cluster on first use. */
export function indexPattern(id: string, title: string): SavedObject {
  return {
    type: 'index-pattern',
    id,
    attributes: { title, timeFieldName: TIME_FIELD },
    references: [],
    migrationVersion: { 'index-pattern': '7.6.0' },
  };
}

/** One aggregation of a visualization, as the visState holds it (its id is given by position). */
export interface AggSpec {
  type: string;
  schema: string;
  params: Record<string, unknown>;
}

export interface VisualizationSpec {
  id: string;
  title: string;
  description: string;
  /** The visualization type: line, area, histogram, horizontal_bar, pie, table, metric, tile_map. */
  type: string;
  params: Record<string, unknown>;
  aggs: AggSpec[];
  /** A KQL query every aggregation runs under (e.g. `action:BLOCK`). */
  query?: string;
}

/** A visualization over one index pattern; aggregation ids are 1, 2, ... in the order given. */
export function visualization(indexPatternId: string, spec: VisualizationSpec): SavedObject {
  const aggs = spec.aggs.map((agg, index) => ({ id: String(index + 1), enabled: true, ...agg }));
  return {
    type: 'visualization',
    id: spec.id,
    attributes: {
      title: spec.title,
      description: spec.description,
      visState: JSON.stringify({ title: spec.title, type: spec.type, params: spec.params, aggs }),
      uiStateJSON: '{}',
      version: 1,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({
          query: kuery(spec.query ?? ''),
          filter: [],
          indexRefName: SEARCH_INDEX_REF,
        }),
      },
    },
    references: [{ name: SEARCH_INDEX_REF, type: 'index-pattern', id: indexPatternId }],
    migrationVersion: { visualization: '7.10.0' },
  };
}

export interface SavedSearchSpec {
  id: string;
  title: string;
  description: string;
  columns: string[];
  query: string;
}

/** A saved search (a Discover table): the newest events matching a query, with chosen columns. */
export function savedSearch(indexPatternId: string, spec: SavedSearchSpec): SavedObject {
  return {
    type: 'search',
    id: spec.id,
    attributes: {
      title: spec.title,
      description: spec.description,
      hits: 0,
      columns: spec.columns,
      sort: [[TIME_FIELD, 'desc']],
      version: 1,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({
          query: kuery(spec.query),
          filter: [],
          highlightAll: true,
          version: true,
          indexRefName: SEARCH_INDEX_REF,
        }),
      },
    },
    references: [{ name: SEARCH_INDEX_REF, type: 'index-pattern', id: indexPatternId }],
    migrationVersion: { search: '7.9.3' },
  };
}

/** One panel: the object it shows and its size on the 48-column grid. */
export interface PanelSpec {
  object: SavedObject;
  w: number;
  h: number;
}

export interface DashboardSpec {
  id: string;
  title: string;
  description: string;
  /** Rows of panels, top to bottom; a row's widths add up to at most 48. */
  rows: PanelSpec[][];
  timeFrom: string;
}

const GRID_COLUMNS = 48;

/** A dashboard laying its panels out row by row; each panel names its object through `panel_<n>`. */
export function dashboard(spec: DashboardSpec): SavedObject {
  const panels: Record<string, unknown>[] = [];
  const references: SavedObjectReference[] = [];
  let y = 0;
  for (const row of spec.rows) {
    const width = row.reduce((sum, panel) => sum + panel.w, 0);
    if (width > GRID_COLUMNS) throw new Error(`dashboard ${spec.id}: a row is ${width} columns wide (max 48)`);
    let x = 0;
    for (const panel of row) {
      const index = panels.length;
      const panelIndex = String(index + 1);
      panels.push({
        version: '7.10.0',
        gridData: { x, y, w: panel.w, h: panel.h, i: panelIndex },
        panelIndex,
        embeddableConfig: {},
        panelRefName: `panel_${index}`,
      });
      references.push({ name: `panel_${index}`, type: panel.object.type, id: panel.object.id });
      x += panel.w;
    }
    y += Math.max(...row.map((panel) => panel.h));
  }
  return {
    type: 'dashboard',
    id: spec.id,
    attributes: {
      title: spec.title,
      description: spec.description,
      hits: 0,
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ hidePanelTitles: false, useMargins: true }),
      version: 1,
      timeRestore: true,
      timeFrom: spec.timeFrom,
      timeTo: 'now',
      refreshInterval: { pause: true, value: 0 },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: kuery(''), filter: [] }) },
    },
    references,
    migrationVersion: { dashboard: '7.9.3' },
  };
}

/** The ndjson text the import API takes: one object per line, each line ending in a newline. */
export function toNdjson(objects: SavedObject[]): string {
  return objects.map((object) => `${JSON.stringify(object)}\n`).join('');
}
