import { ALB_INDEX_PATTERN_ID, albSavedObjects } from './alb-dashboard.js';
import type { SavedObject } from './saved-object.js';
import { WAF_INDEX_PATTERN_ID, wafSavedObjects } from './waf-dashboard.js';

/** The template kinds that ship dashboards, and the file each is written to under dashboards/. */
export type DashboardKind = 'alb' | 'waf';

export interface DashboardBundle {
  kind: DashboardKind;
  /** dashboards/<file>, written by scripts/write-dashboards.mjs. */
  file: string;
  indexPatternId: string;
  objects: SavedObject[];
}

const BUILDERS: Record<DashboardKind, { indexPatternId: string; build: () => SavedObject[] }> = {
  alb: { indexPatternId: ALB_INDEX_PATTERN_ID, build: albSavedObjects },
  waf: { indexPatternId: WAF_INDEX_PATTERN_ID, build: wafSavedObjects },
};

export const DASHBOARD_KINDS = Object.keys(BUILDERS) as DashboardKind[];

export function isDashboardKind(kind: string): kind is DashboardKind {
  return Object.hasOwn(BUILDERS, kind);
}

/**
 * The saved objects of one kind. With `title`, the index pattern is set to it (the
 * pipeline's own index names, e.g. `shop-alb-*`); without, it keeps the shipped default.
 */
export function dashboardBundle(kind: DashboardKind, title?: string): DashboardBundle {
  const { indexPatternId, build } = BUILDERS[kind];
  const objects = build().map((object) =>
    title !== undefined && object.type === 'index-pattern' && object.id === indexPatternId
      ? { ...object, attributes: { ...object.attributes, title } }
      : object,
  );
  return { kind, file: `${kind}.ndjson`, indexPatternId, objects };
}
