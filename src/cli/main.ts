import { createLogger } from '../core/logger.js';
import { DEMO_DEFAULTS } from './demo-defaults.js';
import { readSettings, type Settings } from './environment.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { EnvironmentError } from './usage-error.js';

/** The `sluice` command line. Each command lives in its own file under src/cli/. */
const HELP = `sluice — pulls AWS logs out of S3 and indexes them into OpenSearch, exactly once.

Usage: sluice <command> [options]

Commands:
  run       run pipelines until stopped (SIGTERM drains and checkpoints)
  backfill  run pipelines once over a past time range, then exit
  validate  check a pipeline config and list every problem with file:line:col
  parse     parse raw log files and print one JSON event per line
  demo      run once over the bundled sample ALB and WAF logs (no AWS needed)

Run \`sluice <command> --help\` for the options of a command.
`;

type Command = (argv: string[], settings: Settings) => Promise<number>;

/**
 * Each command, and the defaults it gives variables of the environment table, if any. A
 * command's module is loaded when it runs: `sluice parse` need not load every pipeline
 * component (loading all of them cost ~0.6 CPU-seconds at every start).
 */
const COMMANDS: Record<string, { run: Command; defaults?: Record<string, string> }> = {
  run: { run: async (argv, settings) => (await import('./run-command.js')).runCommand(argv, settings) },
  backfill: { run: async (argv, settings) => (await import('./run-command.js')).runCommand(argv, settings, true) },
  validate: { run: async (argv, settings) => (await import('./validate-command.js')).validateCommand(argv, settings) },
  parse: { run: async (argv, settings) => (await import('./parse-command.js')).parseCommand(argv, settings) },
  demo: {
    run: async (argv, settings) => (await import('./demo-command.js')).demoCommand(argv, settings),
    defaults: DEMO_DEFAULTS,
  },
};

/**
 * The CLI edge: the only place the environment is read (once, through the table in
 * environment.ts); commands get the typed settings.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
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
    // The level itself may be what is wrong: report at info, which shows errors.
    createLogger({ level: 'info' }).error(
      { code: error.code, problems: error.problems, hint: error.hint },
      'invalid environment',
    );
    process.stderr.write(
      `${error.problems.map((p) => `sluice: ${p.variable}=${JSON.stringify(p.value)}: ${p.message}`).join('\n')}\n${error.hint}\n`,
    );
    return EXIT_USAGE;
  }
  return command.run(rest, settings);
}
