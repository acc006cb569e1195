import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  visit,
} from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { closest } from './did-you-mean.js';
import { hasReference, interpolate } from './interpolate.js';
import { configSchema, type PipelineConfig } from './schema.js';
import { knownKeysAt } from './schema-walk.js';

export interface LoadedPipeline {
  config: PipelineConfig;
  /** The file that defines it, and the folder its relative paths resolve against. */
  file: string;
  baseDir: string;
}

export interface LoadedConfig {
  pipelines: LoadedPipeline[];
  files: string[];
}

interface ParsedFile {
  file: string;
  displayName: string;
  doc: Document;
  lineCounter: LineCounter;
}

const YAML_EXTENSIONS = new Set(['.yml', '.yaml']);

/**
 * Loads a YAML file, or every YAML file in a folder (sorted by name), interpolates
 * `${VAR}` from the environment, validates against the schema, and reports every
 * problem of every file at once as `file:line:col path: message` (ConfigError).
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const files = await listConfigFiles(path);
  const problems: ConfigProblem[] = [];
  const pipelines: LoadedPipeline[] = [];
  const seenIds = new Map<string, string>();

  for (const file of files) {
    const displayName = relative(process.cwd(), file) || file;
    const text = await readFile(file, 'utf8');
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    const parsed: ParsedFile = { file, displayName, doc, lineCounter };
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
        problems.push({ file: displayName, line, column, path: '', message: error.message.split('\n')[0]! });
      }
      continue;
    }
    problems.push(...interpolateDocument(parsed, env));
    const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
    const result = configSchema.safeParse(data ?? {});
    if (!result.success) {
      problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, parsed, data)));
      continue;
    }
    result.data.pipelines.forEach((pipeline, index) => {
      const previous = seenIds.get(pipeline.id);
      if (previous) {
        problems.push({
          ...positionOf(parsed, ['pipelines', index, 'id']),
          path: `pipelines[${index}].id`,
          message: `duplicate pipeline id "${pipeline.id}" (first defined in ${previous})`,
        });
        return;
      }
      seenIds.set(pipeline.id, displayName);
      pipelines.push({ config: pipeline, file, baseDir: dirname(file) });
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { pipelines, files };
}

async function listConfigFiles(path: string): Promise<string[]> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => null);
  if (!info) {
    throw new ConfigError([{ file: path, line: 0, column: 0, path: '', message: 'no such file or folder' }]);
  }
  if (!info.isDirectory()) return [absolute];
  const names = (await readdir(absolute)).filter((name) => YAML_EXTENSIONS.has(extname(name))).sort();
  if (names.length === 0) {
    throw new ConfigError([
      { file: path, line: 0, column: 0, path: '', message: 'the folder holds no .yml or .yaml file' },
    ]);
  }
  return names.map((name) => join(absolute, name));
}

/** Replaces `${VAR}` in scalar values (never in keys); plain scalars that become numbers or booleans are typed. */
function interpolateDocument(parsed: ParsedFile, env: NodeJS.ProcessEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(parsed.doc, {
    Scalar(key, node: Scalar) {
      if (key === 'key' || typeof node.value !== 'string' || !hasReference(node.value)) return;
      const { value, missing } = interpolate(node.value, env);
      for (const name of missing) {
        problems.push({
          ...linePosition(parsed, node),
          path: '',
          message: `environment variable ${name} is not set (use \${${name}:-default} for an optional value)`,
        });
      }
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

function linePosition(parsed: ParsedFile, node: Node | undefined): { file: string; line: number; column: number } {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { file: parsed.displayName, line, column: col };
}

/** The position of the deepest node that exists along `path`. */
function positionOf(parsed: ParsedFile, path: readonly PropertyKey[]): { file: string; line: number; column: number } {
  for (let length = path.length; length >= 0; length--) {
    const node = parsed.doc.getIn(path.slice(0, length) as unknown[], true) as Node | undefined;
    if (node && (node as { range?: unknown }).range) return linePosition(parsed, node);
  }
  return linePosition(parsed, parsed.doc.contents ?? undefined);
}

/** The position of a key inside the map at `path` (for unknown keys). */
function keyPosition(parsed: ParsedFile, path: readonly PropertyKey[], key: string) {
  const map = path.length === 0 ? parsed.doc.contents : parsed.doc.getIn(path as unknown[], true);
  if (isMap(map)) {
    const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    if (pair && isScalar(pair.key)) return linePosition(parsed, pair.key);
  }
  return positionOf(parsed, path);
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue, parsed: ParsedFile, data: unknown): ConfigProblem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(configSchema, path, data);
    return issue.keys.map((key) => {
      const suggestion = closest(key, known);
      return {
        ...keyPosition(parsed, path, key),
        path: formatPath([...path, key]),
        message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}${
          known.length > 0 && !suggestion ? `; allowed keys: ${known.join(', ')}` : ''
        }`,
      };
    });
  }
  const position = positionOf(parsed, path);
  const value = parsed.doc.getIn(path as unknown[]);
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const options = (issue.options as unknown[]).map(String);
    if (value === undefined) {
      return [
        { ...position, path: formatPath(path), message: `missing "type"; expected one of: ${options.join(', ')}` },
      ];
    }
    const suggestion = closest(String(value), options);
    return [
      {
        ...position,
        path: formatPath(path),
        message: `unknown type "${String(value)}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of: ${options.join(', ')}`,
      },
    ];
  }
  if (issue.code === 'invalid_type' && value === undefined) {
    return [
      { ...position, path: formatPath(path), message: `missing required key "${String(path[path.length - 1])}"` },
    ];
  }
  return [{ ...position, path: formatPath(path), message: issue.message }];
}
