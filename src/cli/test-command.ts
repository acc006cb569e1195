import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ConfigSourceOptions } from '../config/load-config.js';
import { isS3ConfigUri } from '../config/s3-config-files.js';
import { ConfigError, SluiceError } from '../core/errors.js';
import { casePassed, formatCaseReport } from '../pipeline-test/format-report.js';
import { loadTestFile } from '../pipeline-test/load-test-file.js';
import { runTestFile } from '../pipeline-test/run-test-file.js';
import { configPath, configSource } from './config-path.js';
import type { Settings } from './environment.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { reportBadArguments } from './usage-error.js';

const HELP = `Usage: sluice test [--config PATH] [TESTFILE|FOLDER...]

Runs the test cases of pipeline test files (*.test.yml): each case's input goes through its
pipeline's parser, filters and output routing, the worker's own record loop, and what comes out
is compared with the case's expected events, drops, routes and dead-letter entries. Sources
and outputs are not contacted (no AWS, no OpenSearch); a geoip filter needs its database.

Without TESTFILE, runs every *.test.yml in the tests/ folder beside the config. A test file's
pipelines come from its own \`config:\`, else --config, else SLUICE_CONFIG, which may be on S3
(s3://BUCKET/PREFIX/); test files are local, so with a config on S3 name them. Format: docs/TESTING.md.

Exits 0 when every case passes, 1 when one fails, 78 when a test file or the config is invalid
(file:line:col) or a pipeline cannot be built, 64 on a usage error.
`;

const OPTIONS = { config: { type: 'string' }, help: { type: 'boolean' } } as const;

const TEST_FILE = /\.test\.ya?ml$/;

export async function testCommand(argv: string[], settings: Settings): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return reportBadArguments('test', error, HELP);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  const files = await testFiles(positionals, configPath(values.config, settings));
  if (typeof files === 'string') {
    process.stderr.write(`sluice test: ${files}\n`);
    return EXIT_USAGE;
  }
  let passed = 0;
  let failed = 0;
  let invalid = 0;
  for (const file of files) {
    const outcome = await runOne(file, configPath(values.config, settings), configSource(settings));
    if (outcome === 'invalid') invalid++;
    else {
      passed += outcome.passed;
      failed += outcome.failed;
    }
  }
  const broken = invalid > 0 ? `; ${invalid} file${invalid === 1 ? '' : 's'} could not run` : '';
  process.stdout.write(`\n${passed} case${passed === 1 ? '' : 's'} passed, ${failed} failed${broken}\n`);
  if (invalid > 0) return EXIT_CONFIG;
  return failed > 0 ? EXIT_FAILURE : EXIT_OK;
}

async function runOne(
  file: string,
  config: string,
  source: ConfigSourceOptions,
): Promise<{ passed: number; failed: number } | 'invalid'> {
  try {
    const testFile = await loadTestFile(file);
    process.stdout.write(`${testFile.displayName}\n`);
    // The environment fills the config's ${VAR}, as for `sluice run`; the file's env fills the rest.
    const reports = await runTestFile(testFile, { config, env: process.env, source });
    let passed = 0;
    for (const report of reports) {
      if (casePassed(report)) passed++;
      process.stdout.write(`${formatCaseReport(report).join('\n')}\n`);
    }
    return { passed, failed: reports.length - passed };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 'invalid';
    }
    // A pipeline that cannot be built (a GeoIP database that is not there): what to fix, not a failing case.
    if (error instanceof SluiceError && error.level === 'pipeline') {
      process.stderr.write(`${file}: ${error.code}: ${error.message}${error.hint ? `\n${error.hint}` : ''}\n`);
      return 'invalid';
    }
    throw error;
  }
}

/** The files named (folders give their *.test.yml), or those in the tests/ folder beside the config; a message when there are none. */
async function testFiles(named: string[], config: string): Promise<string[] | string> {
  if (named.length === 0) {
    if (isS3ConfigUri(config)) {
      return `the config ${config} is on S3, and test files are read from this machine: name the test files or folders to run`;
    }
    const info = await stat(config).catch(() => null);
    const folder = join(info?.isDirectory() ? config : dirname(config), 'tests');
    const found = await testFilesIn(folder);
    return found.length > 0 ? found : `no *.test.yml files in ${folder}; name test files or folders to run`;
  }
  const files: string[] = [];
  for (const name of named) {
    const info = await stat(name).catch(() => null);
    if (info?.isDirectory()) {
      const found = await testFilesIn(name);
      if (found.length === 0) return `no *.test.yml files in ${name}`;
      files.push(...found);
    } else files.push(name);
  }
  return files;
}

async function testFilesIn(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names
    .filter((name) => TEST_FILE.test(name))
    .sort()
    .map((name) => resolve(folder, name));
}
