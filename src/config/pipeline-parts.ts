import { filterConfigSchema } from '../filters/index.js';
import { type PipelineConfig, pipelineConfigSchema, routedOutputConfigSchema } from './schema.js';
import { formatPath, type Position } from './yaml-position.js';

/** Where one pipeline is written: what its build problems are positioned with. */
export interface PipelinePlace {
  /**
   * The file that defines it (`s3://bucket/key` for a config on S3), and the folder its relative
   * paths resolve against (the working directory for a config on S3).
   */
  file: string;
  baseDir: string;
  /** Its place in the file's `pipelines:` list: problems found later name `pipelines[<index>]...`. */
  index: number;
  /**
   * Where one of its settings is written (`['filters', 1, 'database']`, a path under the pipeline),
   * so a problem found when building it is reported at the line that names the file or pattern.
   */
  locate(path: readonly PropertyKey[]): Position;
}

/**
 * The component configs a pipeline's build takes (pipeline/build-pipeline.ts buildParts). A
 * PipelineConfig is one with every part; a pipeline the schema refused has only the parts whose
 * own config parsed, and a part left out is never built.
 */
export interface PipelineParts {
  id: string;
  schema: PipelineConfig['schema'];
  parser?: PipelineConfig['parser'];
  source?: PipelineConfig['source'];
  filters: readonly (PipelineConfig['filters'][number] | undefined)[];
  outputs: readonly (PipelineConfig['outputs'][number] | undefined)[];
  /** Absent: none is configured (entries are logged); null: it did not parse. */
  dead_letter?: PipelineConfig['dead_letter'] | null;
  checkpoint?: PipelineConfig['checkpoint'];
}

/** A pipeline of a file with problems: only what parsed, to be checked, never run. */
export interface PipelineDraft extends PipelinePlace {
  parts: PipelineParts;
}

type Parse<T> = { safeParse(value: unknown): { success: true; data: T } | { success: false } };

const shape = pipelineConfigSchema.shape;

/**
 * The parts of each pipeline of a file that has problems, so the build check can still reach
 * them: a part counts when its own schema takes it and no problem of the file (a schema issue, a
 * variable not set, a deprecated key beside its replacement) lies at or under its path. A pipeline
 * whose `id` or `schema` has a problem gives none: every component is built in their context.
 * Problems elsewhere in the pipeline (a limit, an unknown key) keep no part from being built.
 */
export function partsOfPipelines(
  data: unknown,
  problemPaths: readonly string[],
): { index: number; parts: PipelineParts }[] {
  const list = isMap(data) ? data.pipelines : undefined;
  if (!Array.isArray(list)) return [];
  const drafts: { index: number; parts: PipelineParts }[] = [];
  list.forEach((raw: unknown, index) => {
    if (!isMap(raw)) return;
    const clean = (path: readonly PropertyKey[]) => {
      const at = formatPath(['pipelines', index, ...path]);
      return !problemPaths.some((p) => p === at || p.startsWith(`${at}.`) || p.startsWith(`${at}[`));
    };
    const part = <T>(schema: Parse<T>, value: unknown, path: readonly PropertyKey[]): T | undefined => {
      if (!clean(path)) return undefined;
      const parsed = schema.safeParse(value);
      return parsed.success ? parsed.data : undefined;
    };
    const listOf = <T>(schema: Parse<T>, key: string): (T | undefined)[] => {
      const items = raw[key];
      return Array.isArray(items) ? items.map((item, at) => part(schema, item, [key, at])) : [];
    };
    const id = part(shape.id, raw.id, ['id']);
    const schema = part(shape.schema, raw.schema, ['schema']);
    if (id === undefined || schema === undefined) return;
    const deadLetter =
      raw.dead_letter === undefined ? undefined : part(shape.dead_letter, raw.dead_letter, ['dead_letter']);
    drafts.push({
      index,
      parts: {
        id,
        schema,
        parser: part(shape.parser, raw.parser, ['parser']),
        source: part(shape.source, raw.source, ['source']),
        filters: listOf(filterConfigSchema, 'filters'),
        outputs: listOf(routedOutputConfigSchema, 'outputs'),
        ...(raw.dead_letter === undefined ? {} : { dead_letter: deadLetter ?? null }),
        checkpoint: part(shape.checkpoint, raw.checkpoint, ['checkpoint']),
      },
    });
  });
  return drafts;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
