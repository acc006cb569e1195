import type { SluiceError } from '../core/errors.js';

/** What one step did, or (with --dry-run) would do. */
export type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped' | 'would create' | 'would update' | 'failed';

export type StepKind = 'template' | 'ism policy' | 'dashboards';

export interface StepResult {
  step: StepKind;
  /** The pipelines the step is for (a dashboards import may cover several). */
  pipelines: string[];
  /** The template, policy or bundle name. */
  subject: string;
  outcome: Outcome;
  detail?: string;
  error?: SluiceError;
}

/** One line per step: `alb: template sluice-alb: created`, with the detail and, for a failure, its hint. */
export function formatStep(result: StepResult): string {
  const head = `${result.pipelines.join(', ')}: ${result.step} ${result.subject}: ${result.outcome}`;
  const detail = result.detail ? ` (${result.detail})` : '';
  if (!result.error) return `${head}${detail}`;
  const hint = result.error.hint ? `\n  fix: ${result.error.hint}` : '';
  return `${head}${detail}: [${result.error.code}] ${result.error.message}${hint}`;
}

export function failed(results: StepResult[]): StepResult[] {
  return results.filter((result) => result.outcome === 'failed');
}

/** `3 step(s): 1 created, 2 unchanged` */
export function summarize(results: StepResult[]): string {
  const counts = new Map<Outcome, number>();
  for (const result of results) counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
  const parts = [...counts].map(([outcome, n]) => `${n} ${outcome}`);
  return `${results.length} step(s): ${parts.join(', ') || 'nothing to do'}`;
}
