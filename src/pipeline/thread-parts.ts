import type { PipelineConfig } from '../config/schema.js';
import type { Filter, FilterContext, ParserFactory } from '../core/components.js';
import type { Doc } from '../core/event.js';
import { fieldNaming } from '../ecs/field-naming.js';
import { compileCondition } from '../filters/condition.js';
import { createFilter } from '../filters/index.js';
import { type BatchEncoder, createBatchEncoder } from '../outputs/batch-encoders.js';
import { createParserFactory } from '../parsers/index.js';

/** One output as the encoded path sees it (a worker thread, or inline): its routing condition and its encoder. */
export interface ThreadOutput {
  when: ((doc: Doc) => boolean) | undefined;
  encoder: BatchEncoder;
}

/** What a worker thread builds of a pipeline (batch-thread.ts): the record loop's parts and the outputs' encoding. */
export interface ThreadParts {
  parser: ParserFactory;
  filters: Filter[];
  rename?: (doc: Doc) => Doc;
  outputs: ThreadOutput[];
}

/**
 * Whether a pipeline's batches take the encoded path (loop-and-encode.ts, on worker threads or
 * inline): every output must take encoded batches (OpenSearch). Pipelines with a file or stdout
 * output keep the event path (batch-results.ts `loopInProcess`).
 */
export function threadable(config: PipelineConfig): boolean {
  return config.outputs.every(({ when: _when, ...output }) => createBatchEncoder(output) !== undefined);
}

/**
 * Builds in a worker thread, from the pipeline's config (plain data, `${ENV}` already resolved)
 * and its folder, the parts build-pipeline.ts builds on the main thread for the record loop
 * and the outputs' routing and encoding. The main thread built the same config first, so a
 * failure here is not a config problem: it is thrown as it is.
 */
export async function buildThreadParts(config: PipelineConfig, context: FilterContext): Promise<ThreadParts> {
  const naming = fieldNaming(config.schema, config.parser.type);
  const filters: Filter[] = [];
  for (const filterConfig of config.filters) filters.push(await createFilter(filterConfig, context));
  return {
    parser: createParserFactory(config.parser),
    filters,
    rename: naming?.rename,
    outputs: encodingOutputs(config),
  };
}

/**
 * The outputs' routing and encoding, for a worker thread or for the main thread's inline
 * executor (build-pipeline.ts): each output's `when`, rewritten for `schema: ecs` as
 * build-pipeline.ts rewrites it, and its batch encoder. Only for `threadable` pipelines.
 */
export function encodingOutputs(config: PipelineConfig): ThreadOutput[] {
  const naming = fieldNaming(config.schema, config.parser.type);
  return config.outputs.map(({ when, ...outputConfig }): ThreadOutput => {
    const encoder = createBatchEncoder(outputConfig);
    if (!encoder) throw new Error(`output ${outputConfig.type} cannot be encoded in batches`);
    return { when: when ? compileCondition(naming?.condition(when) ?? when) : undefined, encoder };
  });
}
