/**
 * A case checked against the config it tests: its pipeline exists, its outputs are named
 * rightly, its input file is there. What does not fit is a problem of the test file, at the
 * place it is written (exit 78), not a failing case.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { LoadedPipeline } from '../config/load-config.js';
import type { ConfigProblem } from '../core/errors.js';
import { parseFieldPath } from '../core/field-path.js';
import { compileCondition } from '../filters/condition.js';
import type { PreparedCase, PreparedDeadLetter, PreparedEvent } from './compare-case.js';
import { positionIn, problemAt, type TestFile } from './load-test-file.js';
import { resolveOutputReference } from './output-reference.js';
import type { TestCaseConfig } from './test-file-schema.js';

/** What a case reads: the object's bytes come from the lines, the text or the file. */
export type CaseInput = { kind: 'bytes'; bytes: Buffer } | { kind: 'file'; path: string };

export interface RunnableCase {
  name: string;
  /** Its place in the test file's `tests` list. */
  index: number;
  pipeline: LoadedPipeline;
  key: string;
  input: CaseInput;
  expected: PreparedCase;
}

/** Prepares every case of a file, or returns every problem found in any of them. */
export async function prepareCases(
  testFile: TestFile,
  pipelines: readonly LoadedPipeline[],
): Promise<{ cases: RunnableCase[]; problems: ConfigProblem[] }> {
  const cases: RunnableCase[] = [];
  const problems: ConfigProblem[] = [];
  for (const [index, config] of testFile.cases.entries()) {
    const pipeline = pipelineOf(testFile, config, index, pipelines, problems);
    const input = await inputOf(testFile, config, index, problems);
    if (!pipeline || !input) continue;
    const expected = expectationsOf(testFile, config, index, pipeline, problems);
    const key = config.key ?? (input.kind === 'file' ? basename(input.path) : 'test.log');
    cases.push({ name: config.name, index, pipeline, key, input, expected });
  }
  return { cases, problems };
}

function pipelineOf(
  testFile: TestFile,
  config: TestCaseConfig,
  index: number,
  pipelines: readonly LoadedPipeline[],
  problems: ConfigProblem[],
): LoadedPipeline | undefined {
  const ids = pipelines.map((pipeline) => pipeline.config.id);
  const id = config.pipeline ?? testFile.pipeline ?? (ids.length === 1 ? ids[0] : undefined);
  const where =
    config.pipeline !== undefined ? ['tests', index, 'pipeline'] : testFile.pipeline ? ['pipeline'] : ['tests', index];
  if (id === undefined) {
    problems.push(
      problemAt(testFile, where, `the config has ${ids.length} pipelines (${ids.join(', ')}): name one with pipeline:`),
    );
    return undefined;
  }
  const found = pipelines.find((pipeline) => pipeline.config.id === id);
  if (!found) problems.push(problemAt(testFile, where, `no pipeline "${id}" in the config; it has ${ids.join(', ')}`));
  return found;
}

async function inputOf(
  testFile: TestFile,
  config: TestCaseConfig,
  index: number,
  problems: ConfigProblem[],
): Promise<CaseInput | undefined> {
  const { lines, text, file } = config.input;
  if (lines !== undefined) return { kind: 'bytes', bytes: Buffer.from(lines.map((line) => `${line}\n`).join('')) };
  if (text !== undefined) return { kind: 'bytes', bytes: Buffer.from(text) };
  const path = resolve(testFile.dir, file!);
  const info = await stat(path).catch(() => null);
  if (info?.isFile()) return { kind: 'file', path };
  problems.push(problemAt(testFile, ['tests', index, 'input', 'file'], `no such file: ${path}`));
  return undefined;
}

function expectationsOf(
  testFile: TestFile,
  config: TestCaseConfig,
  index: number,
  pipeline: LoadedPipeline,
  problems: ConfigProblem[],
): PreparedCase {
  const base = ['tests', index] as const;
  const at = (...path: PropertyKey[]) => positionIn(testFile, [...base, ...path]);
  const outputs = pipeline.config.outputs;
  const events = config.events?.map((event, e): PreparedEvent => {
    const resolved = event.outputs?.map((reference, o) => {
      const found = resolveOutputReference(reference, outputs);
      if ('problem' in found) problems.push(problemAt(testFile, [...base, 'events', e, 'outputs', o], found.problem));
      return 'index' in found ? found.index : -1;
    });
    return {
      at: at('events', e),
      record: event.record,
      recordAt: event.record === undefined ? undefined : at('events', e, 'record'),
      fields: Object.entries(event.fields ?? {}).map(([name, value]) => ({
        name,
        path: parseFieldPath(name),
        value,
        at: at('events', e, 'fields', name),
      })),
      conditions: (event.conditions ?? []).map((condition, c) => ({
        condition,
        holds: compileCondition(condition),
        at: at('events', e, 'conditions', c),
      })),
      outputs: resolved ? [...new Set(resolved)].sort((a, b) => a - b) : undefined,
      outputsAt: resolved ? at('events', e, 'outputs') : undefined,
    };
  });
  const deadLetters = config.dead_letters?.map(
    (entry): PreparedDeadLetter => ({
      record: entry.record,
      sub: entry.sub,
      code: entry.code,
      reason: entry.reason_matches === undefined ? undefined : new RegExp(entry.reason_matches),
    }),
  );
  return {
    events,
    eventsAt: config.events ? at('events') : undefined,
    dropped: config.dropped,
    droppedAt: config.dropped ? at('dropped') : undefined,
    deadLetters,
    deadLettersAt: config.dead_letters ? at('dead_letters') : undefined,
  };
}
