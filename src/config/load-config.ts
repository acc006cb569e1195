import { LineCounter, type Node, parseDocument, type Scalar, visit } from 'yaml';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { type ConfigFile, readConfigFiles } from './config-files.js';
import { type DeprecatedUse, deprecatedKeysIn } from './deprecated-keys.js';
import { hasReference, interpolate } from './interpolate.js';
import { type PipelineDraft, type PipelinePlace, partsOfPipelines } from './pipeline-parts.js';
import { inFileOrder } from './problem-order.js';
import type { S3ConfigOptions } from './s3-config-files.js';
import { configSchema, type PipelineConfig } from './schema.js';
import { type ParsedFile, schemaProblems } from './schema-problems.js';
import { historyWarning } from './start-time-warning.js';
import { formatPath, keyPosition, linePosition, pathOfNode, positionOf } from './yaml-position.js';
import { compositionProblem, MAX_ALIAS_COUNT, syntaxProblem, yamlWarning } from './yaml-problems.js';

/** A pipeline whose whole config parsed: what a run runs. */
export interface LoadedPipeline extends PipelinePlace {
  config: PipelineConfig;
}

/** How the config itself is read: the S3 client's addressing for an `s3://` config. */
export interface ConfigSourceOptions {
  s3?: S3ConfigOptions;
}

/** Something that works but should change (a deprecated key), at its place in the file. */
export type ConfigWarning = ConfigProblem;

export interface LoadedConfig {
  pipelines: LoadedPipeline[];
  files: string[];
  /** In the order of the files and of the keys in them. `sluice validate` prints them; `sluice run` logs them. */
  warnings: ConfigWarning[];
}

/** A config as read, problems included: what `validate`, `run` and `backfill` check (pipeline/check-pipelines.ts). */
export interface ReadConfig extends LoadedConfig {
  /** Every problem of every file (syntax, variables, schema, duplicate ids), by file and position. */
  problems: ConfigProblem[];
  /** The pipelines of files with problems, each with the parts that parsed: checked, never run. */
  drafts: PipelineDraft[];
  /** The files as problems name them, in the order they were read. */
  shownFiles: string[];
}

/** `file:line:col path: message`, the same form as problems. */
export function formatConfigWarning(warning: ConfigWarning): string {
  return `${warning.file}:${warning.line}:${warning.column} ${warning.path ? `${warning.path}: ` : ''}${warning.message}`;
}

/** Interpolated values this long or longer are masked wherever a message would echo them. */
const MIN_SCRUBBED_LENGTH = 4;

/**
 * Loads a YAML file, or every YAML file in a folder (sorted by name), local or on S3, interpolates
 * `${VAR}` from the environment, validates against the schema, and reports every
 * problem of every file at once as `file:line:col path: message` (ConfigError), and
 * returns warnings (deprecated keys) in the same form. Values taken from the environment are
 * never echoed in messages: they may be secrets.
 */
export async function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv,
  source: ConfigSourceOptions = {},
): Promise<LoadedConfig> {
  const { pipelines, files, warnings, problems } = await readConfig(path, env, source);
  if (problems.length > 0) throw new ConfigError(problems);
  return { pipelines, files, warnings };
}

/**
 * loadConfig's reading without the throw: the problems are returned beside what parsed (the
 * pipelines of files without problems, and drafts of the others), so the build check can reach
 * the parts of a refused file too. Throws ConfigError only when no file can be read.
 */
export async function readConfig(
  path: string,
  env: NodeJS.ProcessEnv,
  source: ConfigSourceOptions = {},
): Promise<ReadConfig> {
  const configFiles = await readConfigFiles(path, source.s3);
  const read: ReadConfig = {
    pipelines: [],
    drafts: [],
    files: configFiles.map((f) => f.file),
    shownFiles: configFiles.map((f) => f.displayName),
    warnings: [],
    problems: [],
  };
  const seenIds = new Map<string, string>();
  for (const configFile of configFiles) readFile(configFile, env, seenIds, read);
  read.problems = inFileOrder(read.problems, read.shownFiles);
  return read;
}

/** One file into `read`: its problems and warnings, and its pipelines or, when it has problems, their drafts. */
function readFile(configFile: ConfigFile, env: NodeJS.ProcessEnv, seenIds: Map<string, string>, read: ReadConfig) {
  const { file, displayName, text, baseDir } = configFile;
  const lineCounter = new LineCounter();
  // YAML merge keys (`<<: *defaults`) are supported; the alias limit bounds them as well.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  const parsed: ParsedFile = { file, displayName, doc, lineCounter, interpolated: new Map() };
  if (doc.errors.length > 0) {
    read.problems.push(syntaxProblem(parsed, doc.errors[0]!, text));
    return;
  }
  const fileProblems = interpolateDocument(parsed, env);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    read.problems.push(compositionProblem(parsed, error));
    return;
  }
  for (const warning of doc.warnings) read.warnings.push(yamlWarning(parsed, warning));
  if (data === null || data === undefined) {
    fileProblems.push({
      ...linePosition(parsed, undefined),
      path: '',
      message: 'the file is empty: it needs a "pipelines:" list',
    });
  } else {
    const deprecations = deprecationsOf(parsed, data);
    fileProblems.push(...deprecations.problems);
    read.warnings.push(...scrubSecrets(deprecations.warnings, parsed));
    const result = configSchema.safeParse(data);
    if (!result.success) fileProblems.push(...schemaProblems(result.error.issues, parsed, data, fileProblems));
    const place = (index: number): PipelinePlace => ({
      file,
      baseDir,
      index,
      locate: (path) => positionOf(parsed, ['pipelines', index, ...path]),
    });
    // Only a file without problems gives pipelines to run; another one's parts are checked.
    const found: (LoadedPipeline | PipelineDraft)[] =
      result.success && fileProblems.length === 0
        ? result.data.pipelines.map((config, index) => ({ ...place(index), config }))
        : partsOfPipelines(
            data,
            fileProblems.map((problem) => problem.path),
          ).map(({ index, parts }) => ({
            ...place(index),
            parts,
          }));
    for (const pipeline of found) {
      const { id, source } = 'config' in pipeline ? pipeline.config : pipeline.parts;
      const previous = seenIds.get(id);
      if (previous) {
        fileProblems.push({
          ...pipeline.locate(['id']),
          path: `pipelines[${pipeline.index}].id`,
          message: `duplicate pipeline id "${id}" (first defined in ${previous}); ids name checkpoints and must be unique`,
        });
        continue;
      }
      seenIds.set(id, displayName);
      if ('config' in pipeline) read.pipelines.push(pipeline);
      else read.drafts.push(pipeline);
      const history = source && historyWarning(source, pipeline.index, pipeline.locate);
      if (history) read.warnings.push(history);
    }
  }
  read.problems.push(...scrubSecrets(fileProblems, parsed));
}

/** A warning for each deprecated key used, and a problem where its replacement is set as well. */
function deprecationsOf(parsed: ParsedFile, data: unknown): { warnings: ConfigWarning[]; problems: ConfigProblem[] } {
  const warnings: ConfigWarning[] = [];
  const problems: ConfigProblem[] = [];
  for (const use of deprecatedKeysIn(configSchema, data)) {
    const { parent, key, deprecation } = use;
    const at = { ...keyPosition(parsed, parent, key), path: formatPath([...parent, key]) };
    if (use.alsoReplaced) {
      problems.push({ ...at, message: `${key} is deprecated and ${deprecation.use} is set as well; remove ${key}` });
    } else {
      warnings.push({ ...at, message: `${key} is deprecated; use ${replacementOf(parsed, use)}` });
    }
  }
  return { warnings, problems };
}

/** `flush_interval_seconds: 0.2`; only the key when the value came from the environment (never echoed). */
function replacementOf(parsed: ParsedFile, use: DeprecatedUse): string {
  const { parent, key, value, deprecation } = use;
  const node = parsed.doc.getIn([...parent, key] as unknown[], true) as Node | undefined;
  if (!deprecation.convert || (node && parsed.interpolated.has(node))) return deprecation.use;
  const converted = deprecation.convert(value);
  if (converted === undefined || Number.isNaN(converted)) return deprecation.use;
  return `${deprecation.use}: ${JSON.stringify(converted)}`;
}

/** Replaces `${VAR}` in scalar values (never in keys); plain scalars that become numbers or booleans are typed. */
function interpolateDocument(parsed: ParsedFile, env: NodeJS.ProcessEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(parsed.doc, {
    Scalar(key, node: Scalar) {
      if (key === 'key' || typeof node.value !== 'string' || !hasReference(node.value)) return;
      const { value, missing, substitutions } = interpolate(node.value, env);
      for (const name of missing) {
        problems.push({
          ...linePosition(parsed, node),
          path: pathOfNode(parsed, node),
          message: `environment variable ${name} is not set (use \${${name}:-default} for an optional value)`,
        });
      }
      if (substitutions.length > 0) parsed.interpolated.set(node, substitutions);
      node.value = node.type === 'PLAIN' ? typedPlainScalar(value) : value;
    },
  });
  return problems;
}

function typedPlainScalar(value: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/**
 * Defence in depth: whatever a schema's own message says, a value taken from the
 * environment (a password, a token) never appears in it; its variable's name does.
 */
function scrubSecrets(problems: ConfigProblem[], parsed: ParsedFile): ConfigProblem[] {
  const secrets = [...parsed.interpolated.values()]
    .flat()
    .filter((s) => s.value.length >= MIN_SCRUBBED_LENGTH)
    .sort((a, b) => b.value.length - a.value.length);
  if (secrets.length === 0) return problems;
  return problems.map((problem) => {
    let message = problem.message;
    for (const secret of secrets) message = message.split(secret.value).join(`\${${secret.name}}`);
    return { ...problem, message };
  });
}
