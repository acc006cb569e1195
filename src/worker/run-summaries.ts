import type { RunTotals } from '../pipeline/object-runner.js';
import type { RunSummary } from '../pipeline/pipeline-runner.js';

const TOTALS: ReadonlyArray<keyof RunTotals> = [
  'objects',
  'failedObjects',
  'records',
  'events',
  'deadLettered',
  'bytes',
];

/**
 * Records a pipeline's run in the worker's summaries. A pipeline that ran more than once in one
 * process (restarted by a config reload, or back after losing its lease) reports the sum of its
 * runs, and how the last one ended.
 */
export function recordSummary(summaries: Record<string, RunSummary>, id: string, summary: RunSummary): void {
  const previous = summaries[id];
  if (!previous) {
    summaries[id] = summary;
    return;
  }
  const sum: RunSummary = { ...summary };
  for (const key of TOTALS) sum[key] = previous[key] + summary[key];
  summaries[id] = sum;
}
