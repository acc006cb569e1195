import type { Logger } from 'pino';
import { createCheckpointStore } from '../checkpoint/index.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { LoadedPipeline } from '../config/load-config.js';
import type { ComponentContext, DeadLetterEntry, Filter, ParserFactory, Source } from '../core/components.js';
import type { Metrics } from '../core/metrics.js';
import { type PipelineSettings, resolvePipelineSettings } from '../core/pipeline-settings.js';
import { compileCondition } from '../filters/condition.js';
import { createFilter } from '../filters/index.js';
import { createDeadLetter, LogDeadLetter, PipelineDeadLetter } from '../outputs/dead-letter/index.js';
import { createOutput } from '../outputs/index.js';
import { createParserFactory } from '../parsers/index.js';
import { createSource } from '../sources/index.js';
import { rawTextRedactor } from './raw-text-redactor.js';
import { RoutedOutput } from './routed-output.js';

/** Everything one pipeline needs at run time, built once from its config. */
export interface BuiltPipeline {
  id: string;
  source: Source;
  parser: ParserFactory;
  filters: Filter[];
  outputs: RoutedOutput[];
  /**
   * Stores entries durably (or logs them when no dead-letter is configured), their raw text and
   * reason redacted by the pipeline's filters (outputs/dead-letter/pipeline-dead-letter.ts).
   */
  deadLetter: (entries: DeadLetterEntry[]) => Promise<void>;
  store: CheckpointStore;
  /** Keys sluice itself writes into the source bucket (checkpoints, dead-letter): never read as logs. */
  isOwnKey(key: string): boolean;
  /** Every pipeline-level setting, resolved (core/pipeline-settings.ts). */
  settings: PipelineSettings;
  /** Checks outputs' write paths (reachable, authorized, template present). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface BuildOptions {
  logger: Logger;
  metrics: Metrics;
  /** The checkpoint's name: the pipeline id for live runs; a backfill has its own. */
  checkpointName?: string;
}

export async function buildPipeline(loaded: LoadedPipeline, options: BuildOptions): Promise<BuiltPipeline> {
  const config = loaded.config;
  const logger = options.logger.child({ pipeline: config.id });
  const context: ComponentContext = { pipeline: config.id, logger, metrics: options.metrics, baseDir: loaded.baseDir };
  const parser = createParserFactory(config.parser);
  const filters: Filter[] = [];
  for (const filterConfig of config.filters) filters.push(await createFilter(filterConfig, context));
  // Without a dead_letter section entries are logged (never their raw text), so every write settles.
  const deadLetterSink = new PipelineDeadLetter(
    config.dead_letter ? createDeadLetter(config.dead_letter, context) : new LogDeadLetter(logger),
    rawTextRedactor(filters),
    options.metrics,
    config.id,
  );
  const componentContext: ComponentContext = { ...context, deadLetter: deadLetterSink };
  const source = createSource(config.source, componentContext);
  const outputs = config.outputs.map(
    ({ when, ...outputConfig }) =>
      new RoutedOutput(createOutput(outputConfig, componentContext), when ? compileCondition(when) : undefined),
  );
  const store = await createCheckpointStore(config.checkpoint, componentContext, options.checkpointName ?? config.id);
  const deadLetter = (entries: DeadLetterEntry[]): Promise<void> => deadLetterSink.put(entries);

  const ownPrefixes: string[] = [];
  if (config.source.type === 's3') {
    const folder = (prefix: string) => `${prefix.replace(/\/+$/, '')}/`;
    if (config.checkpoint.type === 's3' && config.checkpoint.bucket === config.source.bucket) {
      ownPrefixes.push(folder(config.checkpoint.prefix));
    }
    if (config.dead_letter?.type === 's3' && config.dead_letter.bucket === config.source.bucket) {
      ownPrefixes.push(folder(config.dead_letter.prefix));
    }
  }

  return {
    id: config.id,
    isOwnKey: (key) => ownPrefixes.some((prefix) => key.startsWith(prefix)),
    source,
    parser,
    filters,
    outputs,
    deadLetter,
    store,
    settings: resolvePipelineSettings(config),
    async start() {
      for (const output of outputs) await output.output.start();
    },
    async close() {
      await Promise.allSettled(outputs.map((output) => output.output.close()));
      await Promise.allSettled(filters.map((filter) => filter.close?.()));
      await deadLetterSink.close();
    },
  };
}
