import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/core/metrics.js';
import { HealthRegistry, type PipelineState } from '../../src/worker/health.js';

function clock(start = Date.parse('2024-01-01T00:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('HealthRegistry', () => {
  it('is not ready when the config is not loaded yet', () => {
    const health = new HealthRegistry();
    expect(health.isReady()).toBe(false);
    expect(health.snapshot().notReady).toEqual([{ kind: 'config', reason: 'configuration not loaded yet' }]);
  });

  it('is not ready when the config is loaded but no pipeline reported yet', () => {
    const health = new HealthRegistry();
    health.setConfigLoaded();
    expect(health.isReady()).toBe(false);
    expect(health.snapshot().notReady).toEqual([{ kind: 'pipeline', reason: 'no pipeline started yet' }]);
  });

  const readiness: Array<[PipelineState, boolean]> = [
    ['starting', false],
    ['waiting_for_lease', true],
    ['running', true],
    ['draining', false],
    ['stopped', false],
    ['failing', false],
  ];
  it.each(readiness)('reports readiness of a %s pipeline as %s when it is the only one', (state, ready) => {
    const health = new HealthRegistry();
    health.setConfigLoaded();
    health.setPipeline('alb', { state, detail: 'some detail' });
    expect(health.isReady()).toBe(ready);
    const snapshot = health.snapshot();
    expect(snapshot.pipelines.alb!.ready).toBe(ready);
    expect(snapshot.notReady).toEqual(ready ? [] : [{ kind: 'pipeline', id: 'alb', reason: `${state}; some detail` }]);
  });

  it('is ready when one pipeline runs and another waits for its lease', () => {
    const health = new HealthRegistry();
    health.setConfigLoaded();
    health.setPipeline('alb', { state: 'running' });
    health.setPipeline('waf', { state: 'waiting_for_lease', detail: 'lease held by task-b' });
    health.setOutputReachable('alb/opensearch', true);
    expect(health.isReady()).toBe(true);
    expect(health.snapshot()).toMatchObject({ ready: true, live: true, notReady: [], notLive: [] });
  });

  it('is not ready and names the output when an output is unreachable', () => {
    const health = new HealthRegistry();
    health.setConfigLoaded();
    health.setPipeline('alb', { state: 'running' });
    health.setOutputReachable('alb/opensearch', false, 'ECONNREFUSED 127.0.0.1:9200');
    expect(health.isReady()).toBe(false);
    expect(health.snapshot().notReady).toEqual([
      { kind: 'output', id: 'alb/opensearch', reason: 'unreachable: ECONNREFUSED 127.0.0.1:9200' },
    ]);
    health.setOutputReachable('alb/opensearch', true);
    expect(health.isReady()).toBe(true);
  });

  it('stays live when one pipeline fails beside a healthy sibling, however long', () => {
    const time = clock();
    const health = new HealthRegistry({ now: time.now, restartAfterSeconds: 60 });
    health.setConfigLoaded();
    health.setPipeline('alb', { state: 'running' });
    health.setPipeline('waf', { state: 'failing', lastError: 'AccessDenied' });
    time.advance(3600);
    expect(health.isLive()).toBe(true);
    expect(health.isReady()).toBe(false);
    expect(health.snapshot().notReady).toEqual([
      { kind: 'pipeline', id: 'waf', reason: 'failing; last error: AccessDenied' },
    ]);
  });

  it('turns not live when every pipeline has failed for longer than restartAfterSeconds', () => {
    const time = clock();
    const health = new HealthRegistry({ now: time.now, restartAfterSeconds: 60 });
    health.setConfigLoaded();
    health.setPipeline('alb', { state: 'failing', lastError: 'ExpiredToken' });
    health.setPipeline('waf', { state: 'failing', lastError: 'ExpiredToken' });
    time.advance(59);
    // Repeated reports of the same state keep the time the failure started.
    health.setPipeline('alb', { state: 'failing', lastError: 'ExpiredToken again' });
    expect(health.isLive()).toBe(true);
    time.advance(1);
    expect(health.isLive()).toBe(false);
    const { notLive } = health.snapshot();
    expect(notLive.map((p) => p.id)).toEqual(['alb', 'waf']);
    expect(notLive[0]!.reason).toBe(
      'every pipeline failing; this one for 60s: failing; last error: ExpiredToken again',
    );
  });

  it('turns live again when a failing pipeline recovers', () => {
    const time = clock();
    const health = new HealthRegistry({ now: time.now, restartAfterSeconds: 10 });
    health.setPipeline('alb', { state: 'failing' });
    time.advance(11);
    expect(health.isLive()).toBe(false);
    health.setPipeline('alb', { state: 'running' });
    expect(health.isLive()).toBe(true);
  });

  it('turns not live at once when a pipeline says a restart is required', () => {
    const health = new HealthRegistry();
    health.setPipeline('alb', { state: 'running' });
    health.setPipeline('waf', { state: 'failing', lastError: 'internal state corrupt', restartRequired: true });
    expect(health.isLive()).toBe(false);
    expect(health.snapshot().notLive).toEqual([
      { kind: 'pipeline', id: 'waf', reason: 'restart required: failing; last error: internal state corrupt' },
    ]);
  });

  it('is live when no pipeline is registered yet (still starting)', () => {
    expect(new HealthRegistry().isLive()).toBe(true);
  });

  it('records since as the time of the last state change', () => {
    const time = clock();
    const health = new HealthRegistry({ now: time.now });
    health.setPipeline('alb', { state: 'starting' });
    time.advance(5);
    health.setPipeline('alb', { state: 'running' });
    time.advance(5);
    health.setPipeline('alb', { state: 'running', detail: 'polling' });
    expect(health.snapshot().pipelines.alb).toEqual({
      state: 'running',
      detail: 'polling',
      since: '2024-01-01T00:00:05.000Z',
      ready: true,
    });
  });

  it('stops counting a pipeline when it is removed', () => {
    const health = new HealthRegistry();
    health.setConfigLoaded();
    health.setPipeline('alb', { state: 'running' });
    health.setPipeline('old', { state: 'stopped' });
    expect(health.isReady()).toBe(false);
    health.removePipeline('old');
    expect(health.isReady()).toBe(true);
  });

  it('sets sluice_pipeline_healthy from the state when given metrics', async () => {
    const metrics = new Metrics();
    const health = new HealthRegistry({ metrics });
    health.setPipeline('alb', { state: 'running' });
    health.setPipeline('waf', { state: 'failing' });
    const values = (await metrics.pipelineHealthy.get()).values;
    expect(values.map((v) => [v.labels.pipeline, v.value])).toEqual([
      ['alb', 1],
      ['waf', 0],
    ]);
  });
});
