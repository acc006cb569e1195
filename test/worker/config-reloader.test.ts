import { describe, expect, it } from 'vitest';
import type { LoadedConfig, LoadedPipeline } from '../../src/config/load-config.js';
import type { PipelineConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { type CheckedConfig, ConfigReloader, type ReloadSource } from '../../src/worker/config-reloader.js';
import { HealthRegistry } from '../../src/worker/health.js';
import { PipelineSet } from '../../src/worker/pipeline-set.js';

function pipeline(id: string, output = `out/${id}.ndjson`): LoadedPipeline {
  const config = { id, source: { type: 'file', path: 'logs' }, outputs: [{ type: 'file', path: output }] };
  return {
    config: config as unknown as PipelineConfig,
    file: `/etc/sluice/${id}.yml`,
    baseDir: '/etc/sluice',
    index: 0,
    locate: () => ({ file: `/etc/sluice/${id}.yml`, line: 1, column: 1 }),
  };
}

function configOf(...pipelines: LoadedPipeline[]): CheckedConfig {
  return { config: { pipelines, files: [], warnings: [] } satisfies LoadedConfig };
}

/** A worker's pipeline set whose runs last until stopped, recording each start and stop by id. */
function harness(initial: LoadedPipeline[], next: () => Promise<CheckedConfig>) {
  const events: string[] = [];
  const stop = new AbortController();
  const run = (loaded: LoadedPipeline, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const output = (loaded.config.outputs[0] as { path: string }).path;
      events.push(`start ${loaded.config.id} ${output}`);
      signal.addEventListener('abort', () => {
        events.push(`stop ${loaded.config.id}`);
        resolve();
      });
    });
  const set = new PipelineSet(run, stop.signal);
  for (const loaded of initial) set.start(loaded);
  const metrics = new Metrics();
  const health = new HealthRegistry({ metrics });
  health.setConfigLoaded();
  for (const loaded of initial) health.setPipeline(loaded.config.id, { state: 'running' });
  let request: ((reason: string) => void) | undefined;
  const source: ReloadSource = {
    load: next,
    subscribe(listener) {
      request = listener;
      return () => {
        request = undefined;
      };
    },
  };
  const reloader = new ConfigReloader({
    source,
    set,
    logger: silentLogger(),
    metrics,
    health,
    stopSignal: stop.signal,
  });
  reloader.start();
  const counts = async () =>
    Object.fromEntries(
      (await metrics.configReloads.get()).values.map((value) => [String(value.labels.result), value.value]),
    );
  return { events, stop, set, health, reloader, counts, request: (reason: string) => request?.(reason) };
}

describe('ConfigReloader', () => {
  it('keeps every pipeline running and counts invalid when the new config has problems', async () => {
    const problems = [
      { file: '/etc/sluice/a.yml', line: 4, column: 21, path: 'pipelines[0].parser.type', message: 'x' },
    ];
    const h = harness([pipeline('a'), pipeline('b')], async () => ({ problems }));
    expect(await h.reloader.reloadOnce()).toBe('invalid');
    expect(h.events).toEqual(['start a out/a.ndjson', 'start b out/b.ndjson']);
    expect(await h.counts()).toEqual({ applied: 0, unchanged: 0, invalid: 1 });
    expect(h.health.isReady()).toBe(true);
  });

  it('drains and restarts only the changed pipeline, after its old run stopped', async () => {
    const h = harness([pipeline('a'), pipeline('b')], async () =>
      configOf(pipeline('a', 'out/a-2.ndjson'), pipeline('b')),
    );
    expect(await h.reloader.reloadOnce()).toBe('applied');
    expect(h.events).toEqual(['start a out/a.ndjson', 'start b out/b.ndjson', 'stop a', 'start a out/a-2.ndjson']);
    expect(
      h.set
        .loaded()
        .map((loaded) => loaded.config.id)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(await h.counts()).toEqual({ applied: 1, unchanged: 0, invalid: 0 });
  });

  it('starts an added pipeline, stops a removed one and forgets its health', async () => {
    const h = harness([pipeline('a'), pipeline('b')], async () => configOf(pipeline('b'), pipeline('c')));
    expect(await h.reloader.reloadOnce()).toBe('applied');
    expect(h.events.slice(2)).toEqual(['stop a', 'start c out/c.ndjson']);
    expect(Object.keys(h.health.snapshot().pipelines)).toEqual(['b']);
  });

  it('counts unchanged and touches nothing when the definitions are the same', async () => {
    const h = harness([pipeline('a')], async () => configOf(pipeline('a')));
    expect(await h.reloader.reloadOnce()).toBe('unchanged');
    expect(h.events).toEqual(['start a out/a.ndjson']);
    expect(await h.counts()).toEqual({ applied: 0, unchanged: 1, invalid: 0 });
  });

  it('folds requests that come during a reload into one more reload', async () => {
    let loads = 0;
    let release: () => void = () => undefined;
    const h = harness([pipeline('a')], async () => {
      loads++;
      if (loads === 1) await new Promise<void>((resolve) => (release = resolve));
      return configOf(pipeline('a', `out/a-${loads}.ndjson`));
    });
    h.request('SIGHUP');
    h.request('SIGHUP');
    h.request('config changed');
    release();
    await h.reloader.stop();
    expect(loads).toBe(2);
    expect(h.events).toEqual([
      'start a out/a.ndjson',
      'stop a',
      'start a out/a-1.ndjson',
      'stop a',
      'start a out/a-2.ndjson',
    ]);
  });

  it('starts nothing when the worker stops during a reload, and the set settles', async () => {
    let release: () => void = () => undefined;
    const h = harness([pipeline('a')], async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return configOf(pipeline('a', 'out/a-2.ndjson'), pipeline('b'));
    });
    h.request('SIGHUP');
    h.stop.abort();
    release();
    await h.reloader.stop();
    await h.set.settled();
    expect(h.events).toEqual(['start a out/a.ndjson', 'stop a']);
  });
});
