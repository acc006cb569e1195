import { describe, expect, it } from 'vitest';
import { changesNothing, type PipelineDefinition, planReload, type ReloadPlan } from '../../src/worker/reload-plan.js';

function pipeline(id: string, config: Record<string, unknown> = {}, baseDir = '/etc/sluice'): PipelineDefinition {
  return {
    id,
    baseDir,
    config: { id, source: { type: 'file', path: 'logs' }, outputs: [{ type: 'stdout' }], ...config },
  };
}

const alb = pipeline('alb');
const waf = pipeline('waf');

const cases: Array<[string, PipelineDefinition[], PipelineDefinition[], ReloadPlan]> = [
  [
    'keeps every pipeline when nothing changed',
    [alb, waf],
    [alb, waf],
    { keep: ['alb', 'waf'], restart: [], start: [], stop: [] },
  ],
  [
    'keeps a pipeline whose settings are written in another key order',
    [pipeline('alb', { parser: { type: 'alb', strict: true } })],
    [
      {
        id: 'alb',
        baseDir: '/etc/sluice',
        config: {
          parser: { strict: true, type: 'alb' },
          outputs: [{ type: 'stdout' }],
          source: { path: 'logs', type: 'file' },
          id: 'alb',
        },
      },
    ],
    { keep: ['alb'], restart: [], start: [], stop: [] },
  ],
  [
    'restarts only the pipeline whose setting changed',
    [alb, waf],
    [alb, pipeline('waf', { outputs: [{ type: 'file', path: 'out/waf.ndjson' }] })],
    { keep: ['alb'], restart: ['waf'], start: [], stop: [] },
  ],
  [
    'restarts a pipeline whose filters changed order',
    [pipeline('alb', { filters: [{ type: 'drop' }, { type: 'date' }] })],
    [pipeline('alb', { filters: [{ type: 'date' }, { type: 'drop' }] })],
    { keep: [], restart: ['alb'], start: [], stop: [] },
  ],
  [
    'restarts a pipeline whose relative paths now resolve in another folder',
    [alb],
    [pipeline('alb', {}, '/etc/sluice/other')],
    { keep: [], restart: ['alb'], start: [], stop: [] },
  ],
  [
    'starts a pipeline only the new config has',
    [alb],
    [alb, waf],
    { keep: ['alb'], restart: [], start: ['waf'], stop: [] },
  ],
  [
    'stops a pipeline the new config no longer has',
    [alb, waf],
    [waf],
    { keep: ['waf'], restart: [], start: [], stop: ['alb'] },
  ],
  [
    'starts, stops, restarts and keeps in one reload',
    [alb, waf, pipeline('vpc')],
    [pipeline('cloudtrail'), pipeline('waf', { parser: { type: 'waf' } }), alb],
    { keep: ['alb'], restart: ['waf'], start: ['cloudtrail'], stop: ['vpc'] },
  ],
  [
    'starts every pipeline when none was running',
    [],
    [alb, waf],
    { keep: [], restart: [], start: ['alb', 'waf'], stop: [] },
  ],
];

describe('planReload', () => {
  it.each(cases)('%s', (_name, running, wanted, plan) => {
    expect(planReload(running, wanted)).toEqual(plan);
  });
});

describe('changesNothing', () => {
  it.each([
    [{ keep: ['alb'], restart: [], start: [], stop: [] }, true],
    [{ keep: [], restart: [], start: [], stop: [] }, true],
    [{ keep: ['alb'], restart: ['waf'], start: [], stop: [] }, false],
    [{ keep: [], restart: [], start: ['waf'], stop: [] }, false],
    [{ keep: [], restart: [], start: [], stop: ['waf'] }, false],
  ] as Array<[ReloadPlan, boolean]>)('says %j changes nothing: %s', (plan, expected) => {
    expect(changesNothing(plan)).toBe(expected);
  });
});
