import type { Logger } from 'pino';
import { createCheckpointStore } from '../checkpoint/index.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { LoadedPipeline } from '../config/load-config.js';
import type { PipelineParts, PipelinePlace } from '../config/pipeline-parts.js';
import type { ComponentContext, DeadLetterEntry, Filter, ParserFactory, Source } from '../core/components.js';
import type { ConfigProblem } from '../core/errors.js';
import type { Doc } from '../core/event.js';
import type { Metrics } from '../core/metrics.js';
import { type PipelineSettings, resolvePipelineSettings } from '../core/pipeline-settings.js';
import { sharedFiles } from '../core/shared-files.js';
import type { WorkFeedFactory } from '../core/work-feed.js';
import { type FieldNaming, fieldNaming, hasEcsTable } from '../ecs/field-naming.js';
import { compileCondition } from '../filters/condition.js';
import { createFilter } from '../filters/index.js';
import { createDeadLetter, LogDeadLetter, PipelineDeadLetter } from '../outputs/dead-letter/index.js';
import { buildOutput } from '../outputs/index.js';
import { createParserFactory } from '../parsers/index.js';
import { createNotificationFeeds, createSource } from '../sources/index.js';
import { BatchThreads } from './batch-threads.js';
import { BuildProblems } from './build-problems.js';
import { rawTextRedactor } from './raw-text-redactor.js';
import { RoutedOutput } from './routed-output.js';
import { encodingOutputs, type ThreadOutput, threadable } from './thread-parts.js';

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
  /** Set when the source brings its own feed (S3 event notifications): live runs take work from it. */
  notifications?: WorkFeedFactory;
  /** Keys sluice itself writes into the source bucket (checkpoints, dead-letter): never read as logs. */
  isOwnKey(key: string): boolean;
  /** Every pipeline-level setting, resolved (core/pipeline-settings.ts). */
  settings: PipelineSettings;
  /** `schema: ecs`: the record loop's last step (RecordLoopOptions.rename); undefined for aws names. */
  rename?: (doc: Doc) => Doc;
  /** Worker threads for the record loop and the encoding; absent: it runs in-process (process-object.ts). */
  threads?: BatchThreads;
  /**
   * Without threads, when every output is OpenSearch: the outputs' routing and encoding, for the
   * threads' per-batch work run inline (process-object.ts); absent: the event path.
   */
  encoding?: ThreadOutput[];
  /** Checks outputs' write paths (reachable, authorized, template present): the first contact with a service. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface BuildOptions {
  logger: Logger;
  metrics: Metrics;
  /** The checkpoint's name: the pipeline id for live runs; a backfill has its own. */
  checkpointName?: string;
  /**
   * `SLUICE_WORKER_THREADS`: above 1, a pipeline whose outputs are all OpenSearch runs its record
   * loop and encoding on that many threads (started at its first batch); 1 or unset, in-process
   * (the same per-batch work inline for such a pipeline).
   */
  workerThreads?: number;
}

/** The components built so far; a part whose build failed is missing. */
interface Parts {
  /** The pipeline's logger (`pipeline` bound). */
  logger: Logger;
  deadLetterSink?: PipelineDeadLetter;
  source?: Source;
  parser?: ParserFactory;
  filters: (Filter | undefined)[];
  outputs: (RoutedOutput | undefined)[];
  store?: CheckpointStore;
}

/**
 * Builds every component of one pipeline from its config, the same way for `sluice validate`
 * and for a run: databases are opened, patterns and templates compiled, every file the config
 * names (CA, client certificate and key, template) read. No service is contacted and no
 * checkpoint or output is written: that starts with `start()`. Every problem is collected and
 * thrown as one ConfigError positioned at the settings (docs/ARCHITECTURE.md, "Error codes").
 */
export async function buildPipeline(loaded: LoadedPipeline, options: BuildOptions): Promise<BuiltPipeline> {
  const config = loaded.config;
  const problems = new BuildProblems(loaded);
  const parts = await buildParts(config, contextOf(loaded, config, options), problems, options.checkpointName);
  const { deadLetterSink, source, parser, store } = parts;
  const filters = parts.filters.filter((filter) => filter !== undefined);
  const outputs = parts.outputs.filter((output) => output !== undefined);
  const workerThreads = options.workerThreads ?? 1;
  const threads =
    workerThreads > 1 && threadable(config)
      ? new BatchThreads(
          { config, baseDir: loaded.baseDir, logLevel: parts.logger.level, files: sharedFiles() },
          workerThreads,
          parts.logger,
        )
      : undefined;
  const encoding = !threads && problems.empty && threadable(config) ? encodingOutputs(config) : undefined;
  const close = async () => {
    await threads?.close();
    await closeParts(parts);
  };
  if (!problems.empty || !source || !parser || !store || !deadLetterSink) {
    await close();
    throw problems.error();
  }
  const ownPrefixes = ownKeyPrefixes(config);
  const isOwnKey = (key: string) => ownPrefixes.some((prefix) => key.startsWith(prefix));
  const settings = resolvePipelineSettings(config);
  const notifications =
    config.source.type === 's3' && config.source.notifications
      ? createNotificationFeeds({ ...config.source, notifications: config.source.notifications }, source, {
          pipeline: config.id,
          maxObjectsInFlight: settings.maxObjectsInFlight,
          isOwnKey,
        })
      : undefined;
  return {
    id: config.id,
    isOwnKey,
    ...(notifications ? { notifications } : {}),
    source,
    parser,
    filters,
    outputs,
    deadLetter: (entries) => deadLetterSink.put(entries),
    store,
    settings,
    rename: fieldNaming(config.schema, config.parser.type)?.rename,
    ...(threads ? { threads } : {}),
    ...(encoding ? { encoding } : {}),
    async start() {
      for (const output of outputs) await output.output.start();
    },
    close,
  };
}

/**
 * Builds every part of one pipeline whose config parsed (all of a LoadedPipeline's, those a
 * draft has), as buildPipeline does, closes them, and returns every problem found: the check of
 * `validate`, `run` and `backfill` (check-pipelines.ts). Contacts nothing, writes nothing.
 */
export async function checkParts(
  place: PipelinePlace,
  config: PipelineParts,
  options: BuildOptions,
): Promise<ConfigProblem[]> {
  const problems = new BuildProblems(place);
  await closeParts(await buildParts(config, contextOf(place, config, options), problems, options.checkpointName));
  return problems.list();
}

function contextOf(place: PipelinePlace, config: PipelineParts, options: BuildOptions): ComponentContext {
  return {
    pipeline: config.id,
    logger: options.logger.child({ pipeline: config.id }),
    metrics: options.metrics,
    baseDir: place.baseDir,
    schema: config.schema,
  };
}

/** Closes what was built (a part that failed is missing). */
async function closeParts(parts: Parts): Promise<void> {
  await Promise.allSettled(parts.outputs.map((output) => output?.output.close()));
  await Promise.allSettled(parts.filters.map((filter) => filter?.close?.()));
  await parts.deadLetterSink?.close();
}

/**
 * How output conditions, written with the parser's names, are rewritten for `schema: ecs`;
 * undefined when that is not known, and they are not compiled: a draft whose parser did not
 * parse, or has no ECS names (the schema's rule about it runs once the rest of the pipeline parses).
 */
function conditionNaming(config: PipelineParts): { naming?: FieldNaming } | undefined {
  if (config.schema === 'aws') return {};
  if (!config.parser || !hasEcsTable(config.parser.type)) return undefined;
  return { naming: fieldNaming(config.schema, config.parser.type) };
}

/** Each component in its own attempt, so one that fails does not hide the problems of the others; a part without config is not built. */
async function buildParts(
  config: PipelineParts,
  context: ComponentContext,
  problems: BuildProblems,
  checkpointName = config.id,
): Promise<Parts> {
  const { parser: parserConfig, source: sourceConfig, checkpoint, dead_letter } = config;
  const parser = parserConfig && (await problems.attempt(['parser'], () => createParserFactory(parserConfig)));
  const filters: (Filter | undefined)[] = [];
  for (const [index, filterConfig] of config.filters.entries()) {
    filters.push(
      filterConfig && (await problems.attempt(['filters', index], () => createFilter(filterConfig, context))),
    );
  }
  // Without a dead_letter section entries are logged (never their raw text), so every write settles.
  const deadLetterSink =
    dead_letter === null
      ? undefined
      : await problems.attempt(
          ['dead_letter'],
          () =>
            new PipelineDeadLetter(
              dead_letter ? createDeadLetter(dead_letter, context) : new LogDeadLetter(context.logger),
              rawTextRedactor(filters.filter((filter) => filter !== undefined)),
              context.metrics,
              config.id,
            ),
        );
  const componentContext: ComponentContext = { ...context, deadLetter: deadLetterSink };
  const source =
    sourceConfig && (await problems.attempt(['source'], () => createSource(sourceConfig, componentContext)));
  const outputs = await buildOutputs(config, componentContext, problems);
  const store =
    checkpoint &&
    (await problems.attempt(['checkpoint'], () => createCheckpointStore(checkpoint, componentContext, checkpointName)));
  return { logger: context.logger, deadLetterSink, source, parser, filters, outputs, store };
}

async function buildOutputs(
  config: PipelineParts,
  context: ComponentContext,
  problems: BuildProblems,
): Promise<(RoutedOutput | undefined)[]> {
  // Routing runs on the renamed events: its conditions, written with the parser's names, are rewritten.
  const naming = conditionNaming(config);
  const outputs: (RoutedOutput | undefined)[] = [];
  for (const [index, routed] of config.outputs.entries()) {
    if (!routed) {
      outputs.push(undefined);
      continue;
    }
    const { when, ...outputConfig } = routed;
    const condition =
      when && naming
        ? await problems.attempt(['outputs', index, 'when'], () =>
            compileCondition(naming.naming?.condition(when) ?? when),
          )
        : undefined;
    // Local preparation (an index template file) included: a problem there is a config problem too.
    const output = await problems.attempt(['outputs', index], () => buildOutput(outputConfig, context));
    outputs.push(output ? new RoutedOutput(output, condition) : undefined);
  }
  return outputs;
}

/** Prefixes of keys sluice writes into the source bucket itself (checkpoint, dead-letter). */
function ownKeyPrefixes(config: LoadedPipeline['config']): string[] {
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
  return ownPrefixes;
}
