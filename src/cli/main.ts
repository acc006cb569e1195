import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_DEFAULTS } from './demo-defaults.js';
import { readSettings, type Settings } from './environment.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { installStopRequests, type StopRequests } from './stop-requests.js';
import { EnvironmentError } from './usage-error.js';

/** The `sluice` command line. Each command lives in its own file under src/cli/. */
const HELP = `sluice — pulls AWS logs out of S3 and indexes them into OpenSearch, exactly once.

Usage: sluice <command> [options]

Commands:
  run       run pipelines until stopped (SIGTERM drains and checkpoints)
  backfill  run pipelines once over a past time range, then exit
  validate  check a pipeline config and list every problem with file:line:col
  parse     parse raw log files and print one JSON event per line
  test      run a pipeline's test cases: sample input, expected events (no AWS needed)
  status    show each pipeline's checkpoint: watermark and lag, objects in progress, lease
  demo      run once over the bundled sample ALB and WAF logs (no AWS needed)
  setup     install index templates, ISM retention policies and Dashboards dashboards

Run \`sluice <command> --help\` for the options of a command; \`sluice --version\` prints the version.
`;

type Command = (argv: string[], settings: Settings) => Promise<number>;
type DrainingCommand = (argv: string[], settings: Settings, stop: StopRequests) => Promise<number>;

/**
 * Each command, and the defaults it gives variables of the environment table, if any. A
 * command's module is loaded when it runs: `sluice parse` need not load every pipeline
 * component (loading all of them cost ~0.6 CPU-seconds at every start). The commands that drain
 * on SIGTERM get the stop requests main() installed first; the others run with signals at their
 * default effect.
 */
const COMMANDS: Record<
  string,
  ({ run: Command; drains?: false } | { run: DrainingCommand; drains: true }) & { defaults?: Record<string, string> }
> = {
  run: {
    drains: true,
    run: async (argv, settings, stop) => (await import('./run-command.js')).runCommand(argv, settings, stop),
  },
  backfill: {
    drains: true,
    run: async (argv, settings, stop) => (await import('./run-command.js')).runCommand(argv, settings, stop, true),
  },
  validate: { run: async (argv, settings) => (await import('./validate-command.js')).validateCommand(argv, settings) },
  parse: { run: async (argv, settings) => (await import('./parse-command.js')).parseCommand(argv, settings) },
  demo: {
    drains: true,
    run: async (argv, settings, stop) => (await import('./demo-command.js')).demoCommand(argv, settings, stop),
    defaults: DEMO_DEFAULTS,
  },
  test: { run: async (argv, settings) => (await import('./test-command.js')).testCommand(argv, settings) },
  status: { run: async (argv, settings) => (await import('./status-command.js')).statusCommand(argv, settings) },
  setup: { run: async (argv, settings) => (await import('./setup-command.js')).setupCommand(argv, settings) },
};

/**
 * The CLI edge: the only place the environment is read (once, through the table in
 * environment.ts); commands get the typed settings.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // First: a SIGTERM while the command's modules load (or the config does) is a stop request, not a kill.
  const stop = installStopRequests();
  try {
    return await dispatch(argv, env, stop);
  } finally {
    stop.dispose();
  }
}

async function dispatch(argv: string[], env: NodeJS.ProcessEnv, stop: StopRequests): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`sluice ${packageVersion()} (node ${process.version})\n`);
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`sluice: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  let settings: Settings;
  try {
    settings = readSettings(env, command.defaults);
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    // The level itself may be what is wrong: report at info, which shows errors. Loaded only here (pino: ~0.02 CPU-s).
    const { createLogger } = await import('../core/logger.js');
    createLogger({ level: 'info' }).error(
      { code: error.code, problems: error.problems, hint: error.hint },
      'invalid environment',
    );
    process.stderr.write(
      `${error.problems.map((p) => `sluice: ${p.variable}=${JSON.stringify(p.value)}: ${p.message}`).join('\n')}\n${error.hint}\n`,
    );
    return EXIT_USAGE;
  }
  if (command.drains) return command.run(rest, settings, stop);
  stop.release();
  return command.run(rest, settings);
}

/** The version in package.json, which ships next to dist/ in the image and in the npm package. */
function packageVersion(): string {
  const path = resolve(import.meta.dirname, '../../package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}
