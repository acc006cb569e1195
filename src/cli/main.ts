import { demoCommand } from './demo-command.js';
import { parseCommand } from './parse-command.js';
import { runCommand } from './run-command.js';
import { validateCommand } from './validate-command.js';

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

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'backfill':
      return runCommand(rest, true);
    case 'validate':
      return validateCommand(rest);
    case 'parse':
      return parseCommand(rest);
    case 'demo':
      return demoCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(`sluice: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 64;
  }
}
