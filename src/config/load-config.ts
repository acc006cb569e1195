import { isScalar, LineCounter, type Node, parseDocument, type Scalar, visit } from 'yaml';
import type { z } from 'zod';
import { closest } from '../core/did-you-mean.js';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { readConfigFiles } from './config-files.js';
import { type DeprecatedUse, deprecatedKeysIn } from './deprecated-keys.js';
import { describeIssue, type IssueValue } from './describe-issue.js';
import { hasReference, interpolate, type Substitution } from './interpolate.js';
import { logstashHint } from './logstash-names.js';
import type { S3ConfigOptions } from './s3-config-files.js';
import { configSchema, type PipelineConfig } from './schema.js';
import { knownKeysAt } from './schema-walk.js';
import { historyWarning } from './start-time-warning.js';
import {
  formatPath,
  keyPosition,
  linePosition,
  type Position,
  type PositionedFile,
  pathOfNode,
  positionOf,
} from './yaml-position.js';
import { compositionProblem, MAX_ALIAS_COUNT, syntaxProblem, yamlWarning } from './yaml-problems.js';

export interface LoadedPipeline {
  config: PipelineConfig;
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

/** `file:line:col path: message`, the same form as problems. */
export function formatConfigWarning(warning: ConfigWarning): string {
  return `${warning.file}:${warning.line}:${warning.column} ${warning.path ? `${warning.path}: ` : ''}${warning.message}`;
}

interface ParsedFile extends PositionedFile {
  file: string;
  /** Scalars that used `${VAR}`, with the variables they used (to name them instead of echoing values). */
  interpolated: Map<Node, Substitution[]>;
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
  const configFiles = await readConfigFiles(path, source.s3);
  const files = configFiles.map((f) => f.file);
  const problems: ConfigProblem[] = [];
  const warnings: ConfigWarning[] = [];
  const pipelines: LoadedPipeline[] = [];
  const seenIds = new Map<string, string>();

  for (const { file, displayName, text, baseDir } of configFiles) {
    const lineCounter = new LineCounter();
    // YAML merge keys (`<<: *defaults`) are supported; the alias limit bounds them as well.
    const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
    const parsed: ParsedFile = { file, displayName, doc, lineCounter, interpolated: new Map() };
    if (doc.errors.length > 0) {
      problems.push(syntaxProblem(parsed, doc.errors[0]!, text));
      continue;
    }
    const fileProblems = interpolateDocument(parsed, env);
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      problems.push(compositionProblem(parsed, error));
      continue;
    }
    for (const warning of doc.warnings) warnings.push(yamlWarning(parsed, warning));
    if (data === null || data === undefined) {
      fileProblems.push({
        ...linePosition(parsed, undefined),
        path: '',
        message: 'the file is empty: it needs a "pipelines:" list',
      });
    } else {
      const deprecations = deprecationsOf(parsed, data);
      fileProblems.push(...deprecations.problems);
      warnings.push(...scrubSecrets(deprecations.warnings, parsed));
      const result = configSchema.safeParse(data);
      if (result.success) {
        result.data.pipelines.forEach((pipeline, index) => {
          const previous = seenIds.get(pipeline.id);
          if (previous) {
            fileProblems.push({
              ...positionOf(parsed, ['pipelines', index, 'id']),
              path: `pipelines[${index}].id`,
              message: `duplicate pipeline id "${pipeline.id}" (first defined in ${previous}); ids name checkpoints and must be unique`,
            });
            return;
          }
          seenIds.set(pipeline.id, displayName);
          const locate = (path: readonly PropertyKey[]) => positionOf(parsed, ['pipelines', index, ...path]);
          pipelines.push({ config: pipeline, file, baseDir, index, locate });
          const history = historyWarning(pipeline, index, locate);
          if (history) warnings.push(history);
        });
      } else {
        // A missing variable leaves an empty value behind: its own message says it all, so the
        // schema's complaint about the empty value at the same place is left out.
        const missingAt = new Set(fileProblems.map((problem) => `${problem.line}:${problem.column}`));
        fileProblems.push(
          ...problemsOf(result.error.issues, parsed, data).filter(
            (problem) => !missingAt.has(`${problem.line}:${problem.column}`),
          ),
        );
      }
    }
    problems.push(...scrubSecrets(fileProblems, parsed));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { pipelines, files, warnings };
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

/** The value at `path` and how to show it: its JSON, or the variables it came from. */
function issueValue(parsed: ParsedFile, path: readonly PropertyKey[]): IssueValue {
  const node = parsed.doc.getIn(path as unknown[], true) as Node | undefined;
  const value = path.length === 0 ? parsed.doc.toJS() : parsed.doc.getIn(path as unknown[]);
  const substitutions = node ? parsed.interpolated.get(node) : undefined;
  if (substitutions) {
    const names = substitutions.map((s) => `\${${s.name}}`).join(', ');
    return {
      value,
      shown: `the value of ${names}`,
      fromEnv: true,
      ...(isScalar(node) && node.type === 'PLAIN' ? { plainFromEnv: substitutions.map((s) => s.name) } : {}),
    };
  }
  const json = JSON.stringify(value) ?? String(value);
  return { value, shown: json.length > 80 ? `${json.slice(0, 77)}...` : json };
}

function problemsOf(issues: z.core.$ZodIssue[], parsed: ParsedFile, data: unknown): ConfigProblem[] {
  // An object with an unknown key usually also fails a rule about its keys ("exactly one of ...");
  // the unknown key is the cause, so the rule's message at the same place is left out.
  const unknownAt = new Set(issues.filter((i) => i.code === 'unrecognized_keys').map((i) => formatPath(i.path)));
  return issues
    .filter((issue) => !(issue.code === 'custom' && unknownAt.has(formatPath(issue.path))))
    .flatMap((issue) => problemsOfIssue(issue, parsed, data));
}

function problemsOfIssue(issue: z.core.$ZodIssue, parsed: ParsedFile, data: unknown): ConfigProblem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(configSchema, path, data);
    return issue.keys.map((key) => {
      const logstash = logstashHint(key);
      const suggestion = logstash ? undefined : closest(key, known);
      const hint = logstash ? ` (${logstash})` : suggestion ? ` (did you mean "${suggestion}"?)` : '';
      return {
        ...keyPosition(parsed, path, key),
        path: formatPath([...path, key]),
        message: `unknown key "${key}"${hint}${known.length > 0 && !suggestion ? `; allowed keys: ${known.join(', ')}` : ''}`,
      };
    });
  }
  const position = positionOf(parsed, path);
  const found = issueValue(parsed, path);
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const options = (issue.options as unknown[]).map(String);
    if (found.value === undefined) {
      return [
        { ...position, path: formatPath(path), message: `missing "type"; expected one of: ${options.join(', ')}` },
      ];
    }
    const suggestion = typeof found.value === 'string' ? closest(found.value, options) : undefined;
    return [
      {
        ...position,
        path: formatPath(path),
        message: `unknown type ${found.shown}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of: ${options.join(', ')}`,
      },
    ];
  }
  if (path.length === 0 && issue.code === 'invalid_type') {
    return [
      {
        ...position,
        path: '',
        message: `expected a map with a "pipelines:" list at the top of the file, got ${describeKindShort(found.value)}`,
      },
    ];
  }
  return [{ ...position, path: formatPath(path), message: describeIssue(issue, found) }];
}

function describeKindShort(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : typeof value;
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
