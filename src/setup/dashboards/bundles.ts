import type { FieldSchema } from '../../ecs/field-naming.js';
import { ALB_INDEX_PATTERN_ID, albSavedObjects } from './alb-dashboard.js';
import { ecsVariant } from './ecs-variant.js';
import type { SavedObject } from './saved-object.js';
import { WAF_INDEX_PATTERN_ID, wafSavedObjects } from './waf-dashboard.js';

/** The template kinds that ship dashboards, and the file each is written to under dashboards/. */
export type DashboardKind = 'alb' | 'waf';

export interface DashboardBundle {
  kind: DashboardKind;
  schema: FieldSchema;
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

/** Every shipped bundle: each kind with the parsers' own names and with ECS names (docs/ECS.md). */
export const DASHBOARD_VARIANTS: ReadonlyArray<{ kind: DashboardKind; schema: FieldSchema }> = DASHBOARD_KINDS.flatMap(
  (kind) => [
    { kind, schema: 'aws' as const },
    { kind, schema: 'ecs' as const },
  ],
);

export function isDashboardKind(kind: string): kind is DashboardKind {
  return Object.hasOwn(BUILDERS, kind);
}

/**
 * The saved objects of one kind, with the field names of `schema` (the ECS variant's ids end in
 * `-ecs` after the kind). With `title`, the index pattern is set to it (the pipeline's own index
 * names, e.g. `shop-alb-*`); without, it keeps the shipped default.
 */
export function dashboardBundle(kind: DashboardKind, title?: string, schema: FieldSchema = 'aws'): DashboardBundle {
  const { indexPatternId: awsId, build } = BUILDERS[kind];
  const built = schema === 'ecs' ? ecsVariant(kind, build()) : build();
  const indexPatternId = schema === 'ecs' ? `${awsId}-ecs` : awsId;
  const objects = built.map((object) =>
    title !== undefined && object.type === 'index-pattern' && object.id === indexPatternId
      ? { ...object, attributes: { ...object.attributes, title } }
      : object,
  );
  return { kind, schema, file: schema === 'ecs' ? `${kind}-ecs.ndjson` : `${kind}.ndjson`, indexPatternId, objects };
}
