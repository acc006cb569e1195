import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { type ConfigSourceOptions, loadConfig } from '../config/load-config.js';
import type { Position } from '../config/yaml-position.js';
import { ConfigError, errorCode, errorMessage } from '../core/errors.js';
import { compareCase, type Mismatch } from './compare-case.js';
import { positionIn, type TestFile } from './load-test-file.js';
import { outputLabel } from './output-reference.js';
import { type CaseOutcome, PipelineHarness } from './pipeline-harness.js';
import { prepareCases, type RunnableCase } from './prepare-case.js';

export interface CaseReport {
  name: string;
  pipeline: string;
  at: Position;
  mismatches: Mismatch[];
  /** What the input produced (absent when the case could not run). */
  outcome?: CaseOutcome;
  /** Why the case could not run: a failure that is neither the record's nor the object's. */
  error?: string;
  /** How the report names output `index` of the case's pipeline. */
  label: (index: number) => string;
}

export interface RunOptions {
  /** The config of test files that name none (`--config`, else SLUICE_CONFIG or its default). */
  config: string;
  /** The environment the config's `${VAR}` come from; the file's `env` fills what it leaves unset. */
  env: NodeJS.ProcessEnv;
  /** How the config is read (an s3:// config's addressing). */
  source?: ConfigSourceOptions;
}

/**
 * Runs every case of one test file. A config or test file that does not validate, or a case
 * that does not fit its config, throws ConfigError (every problem at once); a pipeline that
 * cannot be built (a GeoIP database missing) throws its own error.
 */
export async function runTestFile(testFile: TestFile, options: RunOptions): Promise<CaseReport[]> {
  // A file that names its config is bound to it; --config is for the files that do not.
  const env = { ...testFile.env, ...options.env };
  const loaded = await loadConfig(testFile.config ?? options.config, env, options.source);
  const { cases, problems } = await prepareCases(testFile, loaded.pipelines);
  if (problems.length > 0) throw new ConfigError(problems);

  const harnesses = new Map<string, PipelineHarness>();
  try {
    for (const testCase of cases) {
      const id = testCase.pipeline.config.id;
      if (!harnesses.has(id)) harnesses.set(id, await PipelineHarness.build(testCase.pipeline));
    }
    const reports: CaseReport[] = [];
    for (const testCase of cases) {
      reports.push(await runCase(testFile, testCase, harnesses.get(testCase.pipeline.config.id)!));
    }
    return reports;
  } finally {
    await Promise.allSettled([...harnesses.values()].map((harness) => harness.close()));
  }
}

async function runCase(testFile: TestFile, testCase: RunnableCase, harness: PipelineHarness): Promise<CaseReport> {
  const outputs = testCase.pipeline.config.outputs;
  const report = {
    name: testCase.name,
    pipeline: testCase.pipeline.config.id,
    at: positionIn(testFile, ['tests', testCase.index]),
    label: (index: number) => outputLabel(outputs, index),
  };
  const raw =
    testCase.input.kind === 'file' ? createReadStream(testCase.input.path) : Readable.from([testCase.input.bytes]);
  let outcome: CaseOutcome;
  try {
    outcome = await harness.run(raw, testCase.key);
  } catch (error) {
    return { ...report, mismatches: [], error: `${errorCode(error)}: ${errorMessage(error)}` };
  }
  return { ...report, outcome, mismatches: compareCase(testCase.expected, outcome, report.label) };
}
