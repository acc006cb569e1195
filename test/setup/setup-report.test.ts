import { describe, expect, it } from 'vitest';
import { OutputError } from '../../src/core/errors.js';
import { formatStep, summarize } from '../../src/setup/setup-report.js';

describe('formatStep', () => {
  it('names the pipeline, step, subject and outcome with its detail when the step succeeded', () => {
    expect(
      formatStep({
        step: 'template',
        pipelines: ['alb'],
        subject: 'sluice-alb',
        outcome: 'created',
        detail: 'for alb-logs-*',
      }),
    ).toBe('alb: template sluice-alb: created (for alb-logs-*)');
  });

  it('adds the code, message and fix when the step failed', () => {
    const error = new OutputError('ERR_SETUP', 'OpenSearch at http://x refused', {}, 'Check the user.');
    expect(formatStep({ step: 'ism policy', pipelines: ['waf'], subject: '-', outcome: 'failed', error })).toBe(
      'waf: ism policy -: failed: [ERR_SETUP] OpenSearch at http://x refused\n  fix: Check the user.',
    );
  });
});

describe('summarize', () => {
  it('counts the outcomes in the order they first appear', () => {
    const step = { step: 'template' as const, pipelines: ['a'], subject: 's' };
    expect(
      summarize([
        { ...step, outcome: 'unchanged' },
        { ...step, outcome: 'skipped' },
        { ...step, outcome: 'unchanged' },
      ]),
    ).toBe('3 step(s): 2 unchanged, 1 skipped');
    expect(summarize([])).toBe('0 step(s): nothing to do');
  });
});
