import { parseArgs } from 'node:util';
import { formatConfigWarning, readConfig } from '../config/load-config.js';
import { ConfigError } from '../core/errors.js';
import { checkPipelines } from '../pipeline/check-pipelines.js';
import { configArgument } from './config-argument.js';
import { configPath, configSource } from './config-path.js';
import type { Settings } from './environment.js';
import { EXIT_CONFIG, EXIT_OK } from './exit-codes.js';
import { reportBadArguments } from './usage-error.js';

const HELP = `Usage: sluice validate [--config PATH | PATH]

Checks a pipeline config (a YAML file, a folder of them, or their S3 prefix) and lists every
problem as file:line:col path: message. Exits 0 when valid, 78 when not. Besides the schema it
builds every component the way \`sluice run\` does, contacting neither OpenSearch nor S3 (but
to read an s3:// config): GeoIP databases are opened, index and path patterns compiled (an
unknown date token is a problem), and every file the config names (CA, client certificate and
key, template) read. Schema and build problems come in one list, by file and position: the
parts of a pipeline whose own settings parsed are built even when another part has a problem.
Warnings (deprecated keys) are printed to stderr the same way and do not change the exit code.

Options:
  --config PATH   file, folder or s3://BUCKET/PREFIX/ (default: $SLUICE_CONFIG, else ./pipelines);
                  or give PATH alone
`;

export async function validateCommand(argv: string[], settings: Settings): Promise<number> {
  let config: string | undefined;
  let parsed: { values: { config?: string; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { config: { type: 'string' }, help: { type: 'boolean' } },
    });
    config = configArgument(parsed.values.config, parsed.positionals);
  } catch (error) {
    return reportBadArguments('validate', error, HELP);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  const path = configPath(config, settings);
  try {
    const loaded = await readConfig(path, process.env, configSource(settings));
    for (const warning of loaded.warnings) process.stderr.write(`warning: ${formatConfigWarning(warning)}\n`);
    const problems = await checkPipelines(loaded);
    if (problems.length > 0) throw new ConfigError(problems);
    const ids = loaded.pipelines.map((p) => p.config.id).join(', ');
    process.stdout.write(`ok: ${loaded.pipelines.length} pipeline(s) in ${loaded.files.length} file(s): ${ids}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n${error.problems.length} problem(s) in ${path}\n`);
      return EXIT_CONFIG;
    }
    throw error;
  }
}
