import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config.js';
import { Metrics } from '../core/metrics.js';
import { buildPipeline } from '../pipeline/build-pipeline.js';
import type { RunMode } from '../pipeline/pipeline-runner.js';
import { EXIT_OK } from './exit-codes.js';

type Backfill = Extract<RunMode, { kind: 'backfill' }>;

export interface DryRunTotals {
  objects: number;
  bytes: number;
}

/**
 * `sluice backfill --dry-run`: lists, for each selected pipeline, the objects the range covers
 * (selected by the date in their keys, as the backfill selects them), one tab-separated line
 * each on stdout, then their count and bytes. It reads no object and writes nothing: no
 * checkpoint, no output, no dead letter. An interrupted backfill's progress is not consulted.
 */
export async function backfillDryRun(
  config: LoadedConfig,
  pipelineIds: string[],
  mode: Backfill,
  logger: Logger,
): Promise<{ code: number; totals: Record<string, DryRunTotals> }> {
  const totals: Record<string, DryRunTotals> = {};
  const selected = config.pipelines.filter((p) => pipelineIds.length === 0 || pipelineIds.includes(p.config.id));
  for (const loaded of selected) {
    const pipeline = await buildPipeline(loaded, { logger, metrics: new Metrics() });
    const sum = { objects: 0, bytes: 0 };
    try {
      for await (const object of pipeline.source.list({ since: mode.from, until: mode.to, selectBy: 'key_time' })) {
        if (pipeline.isOwnKey(object.key)) continue;
        sum.objects++;
        sum.bytes += object.size;
        process.stdout.write(
          `${pipeline.id}\t${object.bucket}/${object.key}\t${object.size}\t${object.lastModified.toISOString()}\n`,
        );
      }
    } finally {
      await pipeline.close();
    }
    totals[pipeline.id] = sum;
  }
  const range = `[${mode.from.toISOString()}, ${mode.to ? mode.to.toISOString() : 'now'})`;
  const parts = Object.entries(totals).map(([id, t]) => `${id}: ${t.objects} object(s), ${formatBytes(t.bytes)}`);
  process.stdout.write(`sluice backfill --dry-run ${range}: ${parts.join('; ')} — nothing read or written\n`);
  return { code: EXIT_OK, totals };
}

/** `1234567 bytes (1.2 MiB)`: exact for scripts, rounded for people. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = '';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return unit ? `${bytes} bytes (${value.toFixed(1)} ${unit})` : `${bytes} bytes`;
}
