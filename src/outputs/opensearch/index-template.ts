import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OutputError } from '../../core/errors.js';
import { ecsMoves, type FieldSchema, hasEcsTable } from '../../ecs/field-naming.js';
import { indexPatternWildcard, sanitizeIndexName } from './index-name.js';
import type { OpenSearchOutputConfig, TemplateConfig } from './opensearch-config.js';
import { albConnectionProperties } from './templates/alb-connection-mappings.js';
import { albProperties } from './templates/alb-mappings.js';
import { commonProperties, type Mapping, rootMappings } from './templates/common-mappings.js';
import { ecsProperties } from './templates/ecs-mappings.js';
import { nlbProperties } from './templates/nlb-mappings.js';
import { s3AccessProperties } from './templates/s3-access-mappings.js';
import { vpcFlowProperties } from './templates/vpc-flow-mappings.js';
import { wafProperties } from './templates/waf-mappings.js';

export interface IndexTemplate {
  index_patterns: string[];
  priority: number;
  data_stream?: Record<string, never>;
  template: { settings: Record<string, unknown>; mappings: Record<string, unknown> };
  _meta: Record<string, unknown>;
}

const KIND_PROPERTIES: Record<TemplateConfig['kind'], Record<string, Mapping>> = {
  alb: albProperties,
  alb_connection: albConnectionProperties,
  nlb: nlbProperties,
  s3_access: s3AccessProperties,
  vpc_flow: vpcFlowProperties,
  waf: wafProperties,
  generic: {},
};

/**
 * The template an OpenSearch output installs, its name and body; undefined without `template`.
 * One home for the output's start check and `sluice setup`.
 */
export async function outputIndexTemplate(
  config: OpenSearchOutputConfig,
  pipeline: string,
  baseDir: string,
  schema: FieldSchema = 'aws',
): Promise<{ name: string; body: IndexTemplate } | undefined> {
  const { template, index, data_stream: dataStream, overflow_index: overflowIndex } = config;
  if (!template) return undefined;
  // The overflow index gets the same mappings, so events sent there are as searchable.
  const overflow = overflowIndex === undefined ? [] : [sanitizeIndexName(overflowIndex)];
  const body = await buildIndexTemplate(template, {
    indexPatterns: [indexPatternWildcard(index), ...overflow],
    dataStream,
    baseDir,
    schema,
  });
  return { name: template.name ?? `sluice-${pipeline}`, body };
}

/** The composable template body to PUT at `_index_template/<name>`. */
export async function buildIndexTemplate(
  config: TemplateConfig,
  options: { indexPatterns: string[]; dataStream: boolean; baseDir: string; schema?: FieldSchema },
): Promise<IndexTemplate> {
  const settings = { number_of_shards: config.number_of_shards, number_of_replicas: config.number_of_replicas };
  if (config.file) {
    const path = resolve(options.baseDir, config.file);
    let parsed: Partial<IndexTemplate>;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<IndexTemplate>;
    } catch (cause) {
      throw new OutputError(
        'ERR_OUTPUT_TEMPLATE',
        `cannot read index template file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { file: path, setting: 'template.file' },
        'Point template.file at a JSON file holding a composable index template body.',
        cause,
      );
    }
    const template = parsed.template ?? { settings: {}, mappings: {} };
    return {
      ...parsed,
      index_patterns: parsed.index_patterns ?? options.indexPatterns,
      priority: parsed.priority ?? config.priority,
      ...(options.dataStream ? { data_stream: {} } : {}),
      template: {
        ...template,
        settings: { ...settings, ...(template.settings ?? {}) },
        mappings: template.mappings ?? {},
      },
      _meta: { managed_by: 'sluice', ...(parsed._meta ?? {}) },
    };
  }
  const aws = { ...commonProperties, ...KIND_PROPERTIES[config.kind] };
  // The ECS names of a kind with an ECS table (the config schema refuses ecs for the others).
  const ecs = options.schema === 'ecs' && hasEcsTable(config.kind);
  return {
    index_patterns: options.indexPatterns,
    priority: config.priority,
    ...(options.dataStream ? { data_stream: {} } : {}),
    template: {
      settings,
      mappings: {
        ...rootMappings(config.dynamic),
        properties: ecs ? ecsProperties(aws, ecsMoves(config.kind)) : aws,
      },
    },
    _meta: { managed_by: 'sluice', kind: config.kind, ...(ecs ? { schema: 'ecs' } : {}) },
  };
}
