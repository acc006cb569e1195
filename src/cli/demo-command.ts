import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Settings } from './environment.js';
import { EXIT_OK } from './exit-codes.js';
import { runCommand } from './run-command.js';
import type { StopRequests } from './stop-requests.js';
import { reportBadArguments } from './usage-error.js';

const HELP = `Usage: sluice demo

Runs sluice's main job once over the sample AWS logs shipped with it (ALB and WAF, in
examples/demo/logs): file source, parsers, date, header flattening, redaction, routing,
NDJSON files under examples/demo/out (or $SLUICE_DEMO_OUT), and a file checkpoint.
Run it twice: the second run finds nothing new. It takes no options but --help.
`;

export async function demoCommand(argv: string[], settings: Settings, stop: StopRequests): Promise<number> {
  let help: boolean | undefined;
  try {
    help = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } } }).values.help;
  } catch (error) {
    return reportBadArguments('demo', error, HELP);
  }
  if (help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  const config = resolve(import.meta.dirname, '../../examples/demo/demo.yml');
  return runCommand(['--once', '--config', config], settings, stop);
}
