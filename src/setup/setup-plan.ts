import type { LoadedPipeline } from '../config/load-config.js';
import type { FieldSchema } from '../ecs/field-naming.js';
import type { AuthConfig, OpenSearchOutputConfig } from '../outputs/opensearch/index.js';
import { indexPatternWildcard } from '../outputs/opensearch/index.js';
import { type DashboardKind, isDashboardKind } from './dashboards/bundles.js';

/** One OpenSearch output of one pipeline: what setup installs its template and ISM policy for. */
export interface OutputTarget {
  pipeline: string;
  /** 1-based position among the pipeline's outputs, for messages. */
  position: number;
  config: OpenSearchOutputConfig;
  /** The output has a `when`: it gets a subset of the events. */
  routed: boolean;
  baseDir: string;
  /** The pipeline's field naming: which template and which dashboards fit its documents. */
  schema: FieldSchema;
}

/** One import of one kind's dashboards into one Dashboards (and tenant). */
export interface DashboardsTarget {
  kind: DashboardKind;
  /** aws or ecs field names: the bundle variant imported. */
  schema: FieldSchema;
  url: string;
  tenant?: string;
  /** The index pattern title: the wildcards of the outputs it covers, comma-separated. */
  title: string;
  auth: AuthConfig | undefined;
  /** The output whose TLS settings (and base folder) the request uses. */
  output: OutputTarget;
  /** The outputs whose indices the dashboards show. */
  covers: OutputTarget[];
}

export interface SetupPlan {
  outputs: OutputTarget[];
  dashboards: DashboardsTarget[];
  /** Why something was left out: a pipeline without an OpenSearch output, an output of a kind without dashboards. */
  notes: string[];
}

/** Dashboards settings given on the command line, which win over each output's `dashboards`. */
export interface DashboardsOverride {
  url?: string;
  tenant?: string;
}

function outputTargets(pipeline: LoadedPipeline): OutputTarget[] {
  return pipeline.config.outputs.flatMap((output, index) =>
    output.type === 'opensearch'
      ? [
          {
            pipeline: pipeline.config.id,
            position: index + 1,
            config: output,
            routed: output.when !== undefined,
            baseDir: pipeline.baseDir,
            schema: pipeline.config.schema,
          },
        ]
      : [],
  );
}

function dashboardsKey(kind: string, schema: FieldSchema, url: string, tenant: string | undefined): string {
  return JSON.stringify([kind, schema, url, tenant ?? null]);
}

/**
 * Groups outputs by dashboards kind, field naming (schema), Dashboards URL and tenant. One index pattern covers the
 * group's outputs that get every event; routed outputs (`when`) count only when the group has
 * no other, so a blocked-requests copy is not counted twice.
 */
function dashboardsTargets(outputs: OutputTarget[], override: DashboardsOverride, notes: string[]): DashboardsTarget[] {
  const groups = new Map<string, OutputTarget[]>();
  for (const output of outputs) {
    const kind = output.config.template?.kind ?? 'generic';
    const url = override.url ?? output.config.dashboards?.url;
    if (!isDashboardKind(kind) || output.config.template?.file !== undefined) {
      notes.push(
        `${output.pipeline}: output ${output.position} has no built-in dashboards (template.kind alb or waf has)`,
      );
    } else if (url === undefined) {
      notes.push(
        `${output.pipeline}: output ${output.position} has no dashboards.url (nor --dashboards-url): dashboards skipped`,
      );
    } else {
      const key = dashboardsKey(kind, output.schema, url, override.tenant ?? output.config.dashboards?.tenant);
      groups.set(key, [...(groups.get(key) ?? []), output]);
    }
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const covers = group.some((output) => !output.routed) ? group.filter((output) => !output.routed) : group;
    const title = [...new Set(covers.map((output) => indexPatternWildcard(output.config.index)))].join(',');
    return {
      kind: first.config.template!.kind as DashboardKind,
      schema: first.schema,
      url: (override.url ?? first.config.dashboards?.url)!,
      tenant: override.tenant ?? first.config.dashboards?.tenant,
      title,
      auth: first.config.dashboards?.auth ?? first.config.auth,
      output: first,
      covers,
    };
  });
}

/** What `sluice setup` does for the pipelines (all, or the one named). */
export function planSetup(pipelines: LoadedPipeline[], override: DashboardsOverride = {}): SetupPlan {
  const notes: string[] = [];
  const outputs: OutputTarget[] = [];
  for (const pipeline of pipelines) {
    const targets = outputTargets(pipeline);
    if (targets.length === 0) notes.push(`${pipeline.config.id}: no opensearch output, nothing to set up`);
    outputs.push(...targets);
  }
  return { outputs, dashboards: dashboardsTargets(outputs, override, notes), notes };
}
