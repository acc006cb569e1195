/** `sluice parse --pipeline ID`: the pipeline's parser, filters and record limit, built as a run builds them (loaded only for --pipeline). */
import { type LoadedPipeline, loadConfig } from '../config/load-config.js';
import type { ComponentContext, Filter, ParserFactory } from '../core/components.js';
import { ConfigError } from '../core/errors.js';
import type { Doc, LogEvent } from '../core/event.js';
import { silentLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { fieldNaming, hasEcsTable } from '../ecs/field-naming.js';
import { createFilter } from '../filters/index.js';
import { createParserFactory, parserConfigSchema } from '../parsers/index.js';
import { BuildProblems } from '../pipeline/build-problems.js';
import { rawTextRedactor } from '../pipeline/raw-text-redactor.js';
import { configPath, configSource } from './config-path.js';
import type { Settings } from './environment.js';
import { EXIT_CONFIG } from './exit-codes.js';
import { buildRoutedPipeline, type Route } from './parse-routes.js';

/** What every file is read with: the parser, the filters and the record limit of the pipeline (or of --parser). */
export interface ParseOptions {
  parser: ParserFactory;
  filters: Filter[];
  maxRecordBytes: number;
  pipeline: string;
  /** The pipeline's `schema: ecs` rename, the record loop's last step. */
  rename?: (doc: Doc) => Doc;
  /** The filters' redactText chain: raw text and reasons on stderr are redacted as the dead-letter's are. */
  redact: (text: string) => string;
  /** --show-route: the outputs each event goes to (parse-routes.ts); each line is then `{ doc, routes }`. */
  routes?: (event: LogEvent) => Route[];
  /** Releases what --show-route built (the whole pipeline: its outputs, filters and dead-letter). */
  close?: () => Promise<void>;
}

/** --pipeline: that pipeline's parser (or --parser), filters and max_record_bytes; an exit code when it cannot be built. */
export async function pipelineOptions(
  values: { parser?: string; config?: string; 'show-route'?: boolean },
  id: string,
  settings: Settings,
): Promise<ParseOptions | number> {
  try {
    const config = await loadConfig(configPath(values.config, settings), process.env, configSource(settings));
    const loaded = config.pipelines.find((p) => p.config.id === id);
    if (!loaded) {
      process.stderr.write(`sluice parse: no pipeline named ${id}\n`);
      return EXIT_CONFIG;
    }
    const parserConfig = values.parser ? parserConfigSchema.parse({ type: values.parser }) : loaded.config.parser;
    const parser = createParserFactory(parserConfig);
    const { schema } = loaded.config;
    if (schema === 'ecs' && !hasEcsTable(parser.type)) {
      process.stderr.write(
        `sluice parse: pipeline ${id} has schema: ecs, which the ${parser.type} parser has no names for\n`,
      );
      return EXIT_CONFIG;
    }
    if (values['show-route'])
      return await routedOptions({ ...loaded, config: { ...loaded.config, parser: parserConfig } });
    const context: ComponentContext = {
      pipeline: loaded.config.id,
      logger: silentLogger(),
      metrics: new Metrics(),
      baseDir: loaded.baseDir,
    };
    // Built as a run builds them: a database that does not open is a problem at its setting (exit 78).
    const problems = new BuildProblems(loaded);
    const filters: Filter[] = [];
    for (const [index, filterConfig] of loaded.config.filters.entries()) {
      const filter = await problems.attempt(['filters', index], () => createFilter(filterConfig, context));
      if (filter) filters.push(filter);
    }
    if (!problems.empty) throw problems.error();
    const maxRecordBytes = loaded.config.max_record_bytes;
    const rename = fieldNaming(schema, parser.type)?.rename;
    return { parser, filters, maxRecordBytes, pipeline: id, rename, redact: rawTextRedactor(filters) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT_CONFIG;
    }
    throw error;
  }
}

/** --show-route: every component built as a run builds it (outputs too, never started), and the routes of each event. */
async function routedOptions(loaded: LoadedPipeline): Promise<ParseOptions> {
  const { built, routes } = await buildRoutedPipeline(loaded);
  return {
    parser: built.parser,
    filters: built.filters,
    maxRecordBytes: loaded.config.max_record_bytes,
    pipeline: built.id,
    rename: built.rename,
    redact: rawTextRedactor(built.filters),
    routes,
    close: () => built.close(),
  };
}
