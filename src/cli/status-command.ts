import { parseArgs } from 'node:util';
import { createCheckpointStore } from '../checkpoint/index.js';
import { errorMessage } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { describeCheckpoint } from './checkpoint-status.js';
import { configArgument } from './config-argument.js';
import { configPath, configSource, loadConfigOrReport } from './config-path.js';
import type { Settings } from './environment.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { reportBadArguments } from './usage-error.js';

const HELP = `Usage: sluice status [--config PATH | PATH] [--pipeline ID]... [--json]

Reads each pipeline's checkpoint from its store (S3, DynamoDB or a file) and prints what it
holds: the watermark and the lag behind it, the start_time recorded at the first start, the
objects done in the lookback window (and quarantined ones), the large objects in progress
with how far they are acknowledged, the lease (holder and expiry), and when it was saved.
It writes nothing and never takes the lease, so it is safe beside a running worker (with the
task role, or any principal that may read the checkpoint). Exits 0, 78 for an invalid config,
1 when a checkpoint cannot be read.

Options:
  --config PATH    YAML file, folder or s3://BUCKET/PREFIX/ (default: $SLUICE_CONFIG, else ./pipelines)
  --pipeline ID    only this pipeline (repeatable; default: $SLUICE_PIPELINES, else all)
  --json           one JSON object per pipeline instead: { pipeline, checkpoint, state }
`;

const OPTIONS = {
  config: { type: 'string' },
  pipeline: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export async function statusCommand(argv: string[], settings: Settings): Promise<number> {
  let config: string | undefined;
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
    config = configArgument(parsed.values.config, parsed.positionals);
  } catch (error) {
    return reportBadArguments('status', error, HELP);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  const path = configPath(config, settings);
  const loaded = await loadConfigOrReport(path, configSource(settings));
  if (!loaded) return EXIT_CONFIG;
  const ids = values.pipeline?.length ? values.pipeline : settings.pipelines;
  const unknown = ids.filter((id) => !loaded.pipelines.some((p) => p.config.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`sluice status: no pipeline named ${unknown.join(', ')} in ${path}\n`);
    return EXIT_CONFIG;
  }
  let failed = false;
  for (const pipeline of loaded.pipelines.filter((p) => ids.length === 0 || ids.includes(p.config.id))) {
    const { id, checkpoint } = pipeline.config;
    // Read-only: never create a DynamoDB table from here.
    const config = checkpoint.type === 'dynamodb' ? { ...checkpoint, create_table: false } : checkpoint;
    const context = { pipeline: id, logger: silentLogger(), metrics: new Metrics(), baseDir: pipeline.baseDir };
    try {
      const store = await createCheckpointStore(config, context, id);
      const state = (await store.load())?.state ?? null;
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ pipeline: id, checkpoint: store.describe(), state })}\n`
          : `${describeCheckpoint(id, store.describe(), state, Date.now()).join('\n')}\n`,
      );
    } catch (error) {
      failed = true;
      process.stderr.write(`sluice status: ${id}: ${errorMessage(error)}\n`);
    }
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
}
