import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FieldSchema } from '../../../src/ecs/field-naming.js';
import { buildIndexTemplate } from '../../../src/outputs/opensearch/index-template.js';
import { templateConfigSchema } from '../../../src/outputs/opensearch/opensearch-config.js';
import { DASHBOARD_VARIANTS, type DashboardKind, dashboardBundle } from '../../../src/setup/dashboards/bundles.js';
import { type SavedObject, toNdjson } from '../../../src/setup/dashboards/saved-object.js';
import { fieldsUsed, kqlFields } from '../../../src/setup/dashboards/saved-object-fields.js';

const root = join(import.meta.dirname, '../../..');

/** Each shipped bundle, `alb` or `alb-ecs`, with its kind and field naming. */
const VARIANTS = DASHBOARD_VARIANTS.map(
  ({ kind, schema }) => [schema === 'ecs' ? `${kind}-ecs` : kind, kind, schema] as const,
);

/** The shipped file, parsed line by line as the import API reads it. */
function shipped(kind: DashboardKind, schema: FieldSchema = 'aws'): SavedObject[] {
  const text = readFileSync(join(root, 'dashboards', dashboardBundle(kind, undefined, schema).file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SavedObject);
}

/** The mapping of a dotted field in the kind's built-in template, or undefined when it is not mapped. */
async function mappingOf(
  kind: DashboardKind,
  schema: FieldSchema,
  field: string,
): Promise<Record<string, unknown> | undefined> {
  const template = await buildIndexTemplate(templateConfigSchema.parse({ kind }), {
    indexPatterns: ['x-*'],
    dataStream: false,
    baseDir: root,
    schema,
  });
  let node: Record<string, unknown> | undefined = template.template.mappings as Record<string, unknown>;
  for (const part of field.split('.')) {
    const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = properties && Object.hasOwn(properties, part) ? properties[part] : undefined;
  }
  return node;
}

const AGGREGATABLE = new Set([
  'keyword',
  'ip',
  'date',
  'geo_point',
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
]);

describe('dashboard bundles', () => {
  it.each(VARIANTS)('ships dashboards/%s.ndjson as the builders make it', (name, kind, schema) => {
    const text = readFileSync(join(root, 'dashboards', `${name}.ndjson`), 'utf8');
    // On failure: npm run build && node scripts/write-dashboards.mjs
    expect(text).toBe(toNdjson(dashboardBundle(kind, undefined, schema).objects));
  });

  it.each(VARIANTS)('resolves every reference of %s to an object in the bundle', (_name, kind, schema) => {
    const objects = shipped(kind, schema);
    const ids = objects.map((object) => `${object.type}:${object.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const object of objects) {
      for (const reference of object.references) expect(ids).toContain(`${reference.type}:${reference.id}`);
    }
    const patterns = objects.filter((object) => object.type === 'index-pattern');
    expect(patterns.map((pattern) => pattern.id)).toEqual([dashboardBundle(kind, undefined, schema).indexPatternId]);
    expect(patterns[0]!.attributes.timeFieldName).toBe('@timestamp');
  });

  it.each(VARIANTS)(
    'places every panel of %s on a reference and every object on the dashboard',
    (_name, kind, schema) => {
      const objects = shipped(kind, schema);
      const [board] = objects.filter((object) => object.type === 'dashboard');
      const panels = JSON.parse(String(board!.attributes.panelsJSON)) as Array<{
        panelRefName: string;
        gridData: { x: number; w: number };
      }>;
      const names = board!.references.map((reference) => reference.name);
      expect(panels.map((panel) => panel.panelRefName)).toEqual(names);
      for (const panel of panels) expect(panel.gridData.x + panel.gridData.w).toBeLessThanOrEqual(48);
      const shown = new Set(board!.references.map((reference) => reference.id));
      const panelObjects = objects.filter((object) => object.type === 'visualization' || object.type === 'search');
      expect(panelObjects.map((object) => object.id).filter((id) => !shown.has(id))).toEqual([]);
    },
  );

  it.each(VARIANTS)(
    'uses only fields the %s template maps, with an aggregatable type where aggregated',
    async (_name, kind, schema) => {
      const uses = fieldsUsed(shipped(kind, schema));
      expect(uses.length).toBeGreaterThan(10);
      const problems: string[] = [];
      for (const use of uses) {
        const mapping = await mappingOf(kind, schema, use.field);
        if (!mapping) problems.push(`${use.objectId}: ${use.field} is not mapped`);
        else if (use.aggregated && !AGGREGATABLE.has(String(mapping.type))) {
          problems.push(`${use.objectId}: ${use.field} is ${String(mapping.type)}, not aggregatable`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(VARIANTS)('orders every terms bucket of %s by a metric the visualization has', (_name, kind, schema) => {
    for (const object of shipped(kind, schema).filter((o) => o.type === 'visualization')) {
      const state = JSON.parse(String(object.attributes.visState)) as {
        aggs: Array<{ id: string; schema: string; type: string; params: { orderBy?: string } }>;
      };
      const metrics = state.aggs.filter((agg) => agg.schema === 'metric').map((agg) => agg.id);
      expect(metrics.length, object.id).toBeGreaterThan(0);
      for (const agg of state.aggs.filter((a) => a.type === 'terms')) expect(metrics).toContain(agg.params.orderBy);
    }
  });

  it.each(['alb', 'waf'] as const)(
    'renames every field of the %s bundle and nothing else when the schema is ecs',
    (kind) => {
      const aws = shipped(kind);
      const ecs = shipped(kind, 'ecs');
      expect(ecs.map((object) => object.id)).toEqual(
        aws.map((object) => object.id.replace(`sluice-${kind}`, `sluice-${kind}-ecs`)),
      );
      const awsFields = new Set(fieldsUsed(aws).map((use) => use.field));
      const ecsFields = new Set(fieldsUsed(ecs).map((use) => use.field));
      // The two share only the time field: every other panel field has an ECS or aws.<kind> name.
      expect([...ecsFields].filter((field) => awsFields.has(field))).toEqual(['@timestamp']);
      expect(fieldsUsed(ecs).length).toBe(fieldsUsed(aws).length);
      expect(ecs.map((object) => object.type)).toEqual(aws.map((object) => object.type));
    },
  );

  it.each<[DashboardKind, string[]]>([
    [
      'alb',
      [
        'http.response.status_code',
        'source.ip',
        'aws.elb.backend_processing_time.sec',
        'source.geo.location',
        'url.original',
      ],
    ],
    ['waf', ['event.action', 'rule.name', 'source.ip', 'url.path', 'user_agent.original', 'source.geo.location']],
  ])('uses the ECS names analysts query in the %s ECS bundle', (kind, fields) => {
    const used = new Set(fieldsUsed(shipped(kind, 'ecs')).map((use) => use.field));
    expect(fields.filter((field) => !used.has(field))).toEqual([]);
  });

  it('sets the index pattern title when setup names the pipeline index pattern', () => {
    const bundle = dashboardBundle('alb', 'shop-alb-*');
    const pattern = bundle.objects.find((object) => object.type === 'index-pattern')!;
    expect(pattern.attributes.title).toBe('shop-alb-*');
    expect(dashboardBundle('alb').objects[0]!.attributes.title).toBe('alb-logs-*');
  });
});

describe('kqlFields', () => {
  it.each([
    ['action:BLOCK', ['action']],
    ['elb_status_code >= 500', ['elb_status_code']],
    ['NOT terminatingRuleId:Default_Action', ['terminatingRuleId']],
    [
      'target_processing_time >= 0 and geoip.country_iso_code : "GB"',
      ['target_processing_time', 'geoip.country_iso_code'],
    ],
    ['*', []],
    ['', []],
  ])('finds the fields of %j', (query, fields) => {
    expect(kqlFields(query)).toEqual(fields);
  });
});
