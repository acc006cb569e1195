import type { Client } from '@opensearch-project/opensearch';
import { OutputError, SluiceError } from '../core/errors.js';
import { createOpenSearchClient } from '../outputs/opensearch/index.js';
import { dashboardsStep } from './dashboards-step.js';
import { ismStep } from './ism-step.js';
import type { OutputTarget, SetupPlan } from './setup-plan.js';
import type { StepKind, StepResult } from './setup-report.js';
import { templateStep } from './template-step.js';

function asSluiceError(error: unknown, pipeline: string): SluiceError {
  if (error instanceof SluiceError) return error;
  return new OutputError('ERR_SETUP', error instanceof Error ? error.message : String(error), { pipeline });
}

async function guarded(step: StepKind, pipelines: string[], run: () => Promise<StepResult>): Promise<StepResult> {
  try {
    return await run();
  } catch (error) {
    return { step, pipelines, subject: '-', outcome: 'failed', error: asSluiceError(error, pipelines.join(', ')) };
  }
}

/** The template, then the ISM policy, of one output, on one client; a failed step does not stop the next. */
async function outputSteps(target: OutputTarget, dryRun: boolean): Promise<StepResult[]> {
  let client: Client;
  try {
    client = createOpenSearchClient(target.config, target.baseDir);
  } catch (error) {
    return [
      {
        step: 'template',
        pipelines: [target.pipeline],
        subject: '-',
        outcome: 'failed',
        error: asSluiceError(error, target.pipeline),
      },
    ];
  }
  try {
    const pipelines = [target.pipeline];
    return [
      await guarded('template', pipelines, () => templateStep(client, target, dryRun)),
      await guarded('ism policy', pipelines, () => ismStep(client, target, dryRun)),
    ];
  } finally {
    await client.close();
  }
}

/**
 * Runs every step of the plan in order (templates and policies per output, then dashboards)
 * and returns what each did. Nothing here exits or prints: the command decides.
 */
export async function runSetup(plan: SetupPlan, options: { dryRun: boolean }): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const target of plan.outputs) results.push(...(await outputSteps(target, options.dryRun)));
  for (const target of plan.dashboards) {
    const pipelines = [...new Set(target.covers.map((output) => output.pipeline))];
    results.push(await guarded('dashboards', pipelines, () => dashboardsStep(target, options.dryRun)));
  }
  return results;
}
