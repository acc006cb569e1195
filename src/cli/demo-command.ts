import { resolve } from 'node:path';
import type { Settings } from './environment.js';
import { runCommand } from './run-command.js';

const HELP = `Usage: sluice demo

Runs sluice's main job once over the sample AWS logs shipped with it (ALB and WAF, in
examples/demo/logs): file source, parsers, date, header flattening, redaction, routing,
NDJSON files under examples/demo/out (or $SLUICE_DEMO_OUT), and a file checkpoint.
Run it twice: the second run finds nothing new.
`;

export async function demoCommand(argv: string[], settings: Settings): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = resolve(import.meta.dirname, '../../examples/demo/demo.yml');
  return runCommand(['--once', '--config', config, ...argv], settings);
}
