/**
 * What the benchmark's full path runs for one parser: the parser, the filters and the
 * OpenSearch output settings of a real pipeline file (by default the shipped
 * `pipelines/alb.yml` for ALB), or the parser alone with the output's defaults.
 *
 * Only those pieces are built: the pipeline's source, outputs, dead-letter and checkpoint are
 * never contacted, so the variables that only name them get placeholders when unset. The
 * geoip filter needs a real database: GEOIP_DATABASE, else SLUICE_TEST_GEOIP_DB, else the
 * test database `scripts/services.sh start` generates (GeoIP2-City-Test.mmdb, no network).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import type { PipelineConfig } from '../src/config/schema.js';
import type { Filter, ParserFactory } from '../src/core/components.js';
import type { Doc } from '../src/core/event.js';
import { silentLogger } from '../src/core/logger.js';
import { Metrics } from '../src/core/metrics.js';
import { fieldNaming } from '../src/ecs/field-naming.js';
import { createFilter } from '../src/filters/index.js';
import {
  type OpenSearchOutputConfig,
  opensearchOutputConfigSchema,
} from '../src/outputs/opensearch/opensearch-config.js';
import { createParserFactory, type ParserConfig } from '../src/parsers/index.js';
import { encodingOutputs, type ThreadOutput } from '../src/pipeline/thread-parts.js';

/** The repository: the nearest folder above this file with a package.json (the bench runs from source or from its build). */
function repositoryRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const ROOT = repositoryRoot();

/** Pipeline files applied by default, by parser type (`--pipeline-config none` turns them off). */
export const DEFAULT_PIPELINE_CONFIGS: Readonly<Record<string, string>> = { alb: 'pipelines/alb.yml' };

/** Variables the shipped pipelines require that name only what the bench never contacts. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  ALB_LOG_BUCKET: 'bench-not-read',
  WAF_LOG_BUCKET: 'bench-not-read',
  SLUICE_STATE_BUCKET: 'bench-not-written',
  OPENSEARCH_USERNAME: 'bench-not-sent',
  OPENSEARCH_PASSWORD: 'bench-not-sent',
};

/** How the OpenSearch output encodes and batches (the first opensearch output of the pipeline). */
export interface BulkSettings {
  index: string;
  action: 'create' | 'index';
  flushEvents: number;
  flushBytes: number;
}

export interface BenchPipeline {
  parser: ParserFactory;
  filters: Filter[];
  /** Names the filters' origin, e.g. `pipelines/alb.yml (date, geoip, redact)`, or `none`. */
  description: string;
  maxRecordBytes: number;
  /** The pipeline's `schema: ecs` rename (the record loop's last step), when it has one. */
  rename?: (doc: Doc) => Doc;
  bulk: BulkSettings;
  /** The OpenSearch output's config (its encoder and index cap, as the output builds them). */
  output: OpenSearchOutputConfig;
  /**
   * The encoded path's per-batch work for that output (thread-parts.ts encodingOutputs: its
   * `when` and BatchEncoder), what loop-and-encode.ts runs for an all-OpenSearch pipeline.
   */
  encoding: ThreadOutput;
  /** The top-level field a geoip filter writes, to report how many events it placed. */
  geoipTarget?: string;
}

/** The GeoIP database the bench's pipelines open, or undefined when none is found. */
export function benchGeoipDatabase(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const services = env.SLUICE_SERVICES_DIR ?? join(ROOT, '.cache/services');
  const candidates = [env.GEOIP_DATABASE, env.SLUICE_TEST_GEOIP_DB, join(services, 'geoip/GeoIP2-City-Test.mmdb')];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

/** The parser alone: no filters, the OpenSearch output's default batching and the `create` action. */
function parserOnly(type: string): BenchPipeline {
  const defaults = opensearchOutputConfigSchema.parse({
    type: 'opensearch',
    hosts: ['http://127.0.0.1:1'],
    index: 'logs-%{+YYYY.MM.dd}',
  });
  const [encoding] = encodingOutputs({ schema: 'aws', parser: { type }, outputs: [defaults] } as PipelineConfig);
  return {
    parser: createParserFactory({ type } as ParserConfig),
    filters: [],
    description: 'none',
    maxRecordBytes: 1024 * 1024,
    bulk: {
      index: 'logs-%{+YYYY.MM.dd}',
      action: 'create',
      flushEvents: defaults.flush_events,
      flushBytes: defaults.flush_bytes,
    },
    output: defaults,
    encoding: encoding!,
  };
}

/**
 * The pipeline the bench runs for a parser type: from the first of `configs` (default: the
 * shipped file for that type, if any) that has a pipeline with that parser, else the parser alone.
 */
export async function benchPipelineFor(type: string, configs: readonly string[] | null): Promise<BenchPipeline> {
  const defaultConfig = DEFAULT_PIPELINE_CONFIGS[type];
  for (const path of configs ?? (defaultConfig ? [defaultConfig] : [])) {
    const pipeline = await loadBenchPipeline(path, type);
    if (pipeline) return pipeline;
  }
  return parserOnly(type);
}

/** Builds a pipeline file's parser, filters and output settings (null: it has no `type` parser); fails saying what is missing. */
async function loadBenchPipeline(path: string, type: string): Promise<BenchPipeline | null> {
  const geoip = benchGeoipDatabase();
  const env = { ...PLACEHOLDERS, ...process.env, ...(geoip ? { GEOIP_DATABASE: geoip } : {}) };
  const loaded = await loadConfig(resolve(ROOT, path), env);
  const pipeline = loaded.pipelines.find((p) => p.config.parser.type === type);
  if (!pipeline) return null;
  const { config } = pipeline;
  const context = { pipeline: config.id, logger: silentLogger(), metrics: new Metrics(), baseDir: pipeline.baseDir };
  const filters: Filter[] = [];
  for (const filterConfig of config.filters) {
    try {
      filters.push(await createFilter(filterConfig, context));
    } catch (error) {
      const hint =
        filterConfig.type === 'geoip'
          ? ' (set GEOIP_DATABASE or SLUICE_TEST_GEOIP_DB, run `scripts/services.sh start` to generate the test database, or pass --pipeline-config none)'
          : '';
      throw new Error(`${path}: cannot build the ${filterConfig.type} filter: ${String(error)}${hint}`);
    }
  }
  return {
    parser: createParserFactory(config.parser),
    filters,
    description: `${path} (${config.filters.map((f) => f.type).join(', ') || 'no filters'})`,
    maxRecordBytes: config.max_record_bytes,
    rename: fieldNaming(config.schema, config.parser.type)?.rename,
    ...bulkOutput(config, path),
    geoipTarget: config.filters.find((f) => f.type === 'geoip')?.target,
  };
}

function bulkOutput(config: PipelineConfig, path: string): Pick<BenchPipeline, 'bulk' | 'output' | 'encoding'> {
  const at = config.outputs.findIndex((o) => o.type === 'opensearch');
  const output = config.outputs[at];
  if (output?.type !== 'opensearch') throw new Error(`${path}: pipeline ${config.id} has no opensearch output`);
  const bulk: BulkSettings = {
    index: output.index,
    action: output.data_stream ? 'create' : output.action,
    flushEvents: output.flush_events,
    flushBytes: output.flush_bytes,
  };
  return { bulk, output, encoding: encodingOutputs(config)[at]! };
}
