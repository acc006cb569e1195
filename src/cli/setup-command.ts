import { parseArgs } from 'node:util';
import { formatConfigWarning } from '../config/load-config.js';
import { planSetup } from '../setup/setup-plan.js';
import { failed, formatStep, summarize } from '../setup/setup-report.js';
import { runSetup } from '../setup/setup-runner.js';
import { configPath, configSource, loadConfigOrReport } from './config-path.js';
import type { Settings } from './environment.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { reportBadArguments } from './usage-error.js';

const HELP = `Usage: sluice setup [--config PATH] [--pipeline ID] [--dry-run]
                    [--dashboards-url URL] [--dashboards-tenant NAME]

Installs what the pipelines' OpenSearch outputs need before data arrives, for each output:
  - its index template (the one the output installs at start; template section),
  - an Index State Management policy deleting its indices after retention_days
    (rolling data streams over), skipped where the cluster has no ISM plugin,
  - the dashboards of its template.kind (alb, waf) in OpenSearch Dashboards
    (dashboards.url, or --dashboards-url), with the index pattern set to its indices.
What is already installed as sluice would install it is left alone and reported unchanged,
so running it again changes nothing. Exits 0 when every step succeeded, 1 when one failed
(each failure says what to fix), 64 on a bad option, 78 when the config is invalid.

Options:
  --config PATH              file, folder or s3://BUCKET/PREFIX/ (default: $SLUICE_CONFIG, else ./pipelines)
  --pipeline ID              only this pipeline (default: all)
  --dry-run                  read what is installed and print what would change; write nothing
  --dashboards-url URL       Dashboards base URL for every output (overrides dashboards.url)
  --dashboards-tenant NAME   security tenant to import into (overrides dashboards.tenant)
`;

function validUrl(value: string | undefined): boolean {
  if (value === undefined) return true;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export async function setupCommand(argv: string[], settings: Settings): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    return reportBadArguments('setup', error, HELP);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (!validUrl(values['dashboards-url'])) {
    process.stderr.write(
      `sluice setup: --dashboards-url ${JSON.stringify(values['dashboards-url'])} is not an http(s) URL\n`,
    );
    return EXIT_USAGE;
  }
  const path = configPath(values.config, settings);
  const loaded = await loadConfigOrReport(path, configSource(settings));
  if (!loaded) return EXIT_CONFIG;
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${formatConfigWarning(warning)}\n`);
  const ids = loaded.pipelines.map((pipeline) => pipeline.config.id);
  const chosen =
    values.pipeline === undefined ? loaded.pipelines : loaded.pipelines.filter((p) => p.config.id === values.pipeline);
  if (chosen.length === 0) {
    process.stderr.write(
      `sluice setup: no pipeline ${JSON.stringify(values.pipeline)} in ${path} (it has: ${ids.join(', ')})\n`,
    );
    return EXIT_CONFIG;
  }
  const plan = planSetup(chosen, { url: values['dashboards-url'], tenant: values['dashboards-tenant'] });
  const dryRun = values['dry-run'] === true;
  if (dryRun) process.stdout.write('dry run: reading what is installed, writing nothing\n');
  for (const note of plan.notes) process.stdout.write(`note: ${note}\n`);
  const results = await runSetup(plan, { dryRun });
  for (const result of results) {
    (result.outcome === 'failed' ? process.stderr : process.stdout).write(`${formatStep(result)}\n`);
  }
  const failures = failed(results);
  (failures.length > 0 ? process.stderr : process.stdout).write(`sluice setup: ${summarize(results)}\n`);
  return failures.length > 0 ? EXIT_FAILURE : EXIT_OK;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      pipeline: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'dashboards-url': { type: 'string' },
      'dashboards-tenant': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
