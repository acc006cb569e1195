import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { albObject } from '../../helpers/alb-data.js';
import { freePort } from '../../helpers/free-port.js';
import { type SluiceProcess, startSluice, waitFor } from '../../helpers/sluice-process.js';

// Spawns the built CLI (`npm run build` first) with two file-source pipelines, one config file each.

function pipelineYaml(id: string, output: string, parser = 'alb'): string {
  return `pipelines:
  - id: ${id}
    source: { type: file, path: ../logs-${id}, poll_interval_seconds: 1 }
    parser: { type: ${parser} }
    outputs:
      - { type: file, path: ../out/${output} }
    checkpoint: { type: file, directory: ../state }
`;
}

/** A folder holding conf/a.yml and conf/b.yml, their log folders, and the outputs under out/. */
function workspace(): { dir: string; conf: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-reload-'));
  const conf = join(dir, 'conf');
  for (const folder of [conf, join(dir, 'logs-a'), join(dir, 'logs-b')]) mkdirSync(folder);
  writeConfig(conf, 'a', pipelineYaml('a', 'a-1.ndjson'));
  writeConfig(conf, 'b', pipelineYaml('b', 'b-1.ndjson'));
  return { dir, conf };
}

/** Replaces a config file in one step (a rename), so neither a poll nor a reload reads half of it. */
function writeConfig(conf: string, id: string, text: string): void {
  writeFileSync(join(conf, `${id}.yml.tmp`), text);
  renameSync(join(conf, `${id}.yml.tmp`), join(conf, `${id}.yml`));
}

function lines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text === '' ? [] : text.trimEnd().split('\n');
}

/** The trace ids of an output's lines: one per ALB record (`Root=1-<object>-<line>`). */
function traces(path: string): string[] {
  return lines(path).map((line) => (JSON.parse(line) as { trace_id: string }).trace_id);
}

/** The JSON log lines of one pipeline with this message. */
function logs(run: SluiceProcess, pipeline: string | undefined, message: string): Array<Record<string, unknown>> {
  return run
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === message && (pipeline === undefined || entry.pipeline === pipeline));
}

async function metric(port: number, name: string): Promise<string[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name));
}

async function readyStatus(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

describe('sluice run reloading its config', () => {
  it('restarts only the changed pipeline on SIGHUP, exactly once across it, and keeps the running config when the new one is invalid', async () => {
    const { dir, conf } = workspace();
    const records = 200_000;
    writeFileSync(join(dir, 'logs-a', '1.log.gz'), albObject(1, records));
    writeFileSync(join(dir, 'logs-b', '1.log.gz'), albObject(2, 25));
    const port = await freePort();
    const run = startSluice(['run', '--config', conf], { SLUICE_HTTP_PORT: String(port) });
    const out = (name: string) => join(dir, 'out', name);
    await waitFor(() => lines(out('b-1.ndjson')).length === 25, 60_000, 'pipeline b to write its object');
    await waitFor(() => lines(out('a-1.ndjson')).length > 0, 60_000, 'pipeline a to start writing');
    expect(await readyStatus(port)).toBe(200);

    // a's output moves; most likely mid-object, which the drain checkpoints at a record.
    writeConfig(conf, 'a', pipelineYaml('a', 'a-2.ndjson'));
    run.child.kill('SIGHUP');
    await waitFor(() => logs(run, undefined, 'config reloaded').length === 1, 60_000, 'the reload');
    expect(logs(run, undefined, 'config reloaded')[0]).toMatchObject({
      keep: ['b'],
      restart: ['a'],
      start: [],
      stop: [],
    });
    await waitFor(
      () => lines(out('a-1.ndjson')).length + lines(out('a-2.ndjson')).length >= records,
      120_000,
      'pipeline a to finish its object',
    );
    // Every record exactly once across the two outputs: none written twice, none skipped.
    const written = [...traces(out('a-1.ndjson')), ...traces(out('a-2.ndjson'))];
    expect(written).toHaveLength(records);
    expect(new Set(written).size).toBe(records);
    const resumed = traces(out('a-2.ndjson')).length;
    console.log(`reload drained pipeline a after ${records - resumed} records; the restarted run wrote ${resumed}`);
    // The new setting took effect: what a lists now goes to a-2.
    writeFileSync(join(dir, 'logs-a', '2.log.gz'), albObject(3, 10));
    await waitFor(() => traces(out('a-2.ndjson')).some((t) => t === 'Root=1-3-10'), 60_000, 'a-2 to get object 2');
    // a ran twice (lease held, released, held again); b once, never drained.
    expect(logs(run, 'a', 'lease held; pipeline running')).toHaveLength(2);
    expect(logs(run, 'a', 'released the pipeline lease')).toHaveLength(1);
    expect(logs(run, 'b', 'lease held; pipeline running')).toHaveLength(1);
    expect(logs(run, 'b', 'released the pipeline lease')).toHaveLength(0);
    writeFileSync(join(dir, 'logs-b', '2.log.gz'), albObject(4, 5));
    await waitFor(() => lines(out('b-1.ndjson')).length === 30, 60_000, 'b to keep running');

    // An invalid config: logged at its line and column, counted, and the running config stays.
    writeConfig(conf, 'a', pipelineYaml('a', 'a-3.ndjson', 'albb'));
    run.child.kill('SIGHUP');
    await waitFor(
      () => logs(run, undefined, 'config reload requested').length === 2 && run.output().includes('reload rejected'),
      60_000,
      'the rejected reload',
    );
    expect(run.output()).toContain(`${join(conf, 'a.yml')}:4:21 pipelines[0].parser.type: unknown type \\"albb\\"`);
    expect(await metric(port, 'sluice_config_reloads_total')).toEqual([
      'sluice_config_reloads_total{result="applied"} 1',
      'sluice_config_reloads_total{result="unchanged"} 0',
      'sluice_config_reloads_total{result="invalid"} 1',
    ]);
    expect(await readyStatus(port)).toBe(200);
    writeFileSync(join(dir, 'logs-a', '3.log.gz'), albObject(5, 7));
    await waitFor(() => traces(out('a-2.ndjson')).some((t) => t === 'Root=1-5-7'), 60_000, 'a to run on with a-2');
    expect(existsSync(out('a-3.ndjson'))).toBe(false);
    expect(logs(run, 'a', 'lease held; pipeline running')).toHaveLength(2);
    expect(logs(run, 'b', 'lease held; pipeline running')).toHaveLength(1);

    // SIGHUP again with nothing changed from the running config: nothing restarts.
    writeConfig(conf, 'a', pipelineYaml('a', 'a-2.ndjson'));
    run.child.kill('SIGHUP');
    await waitFor(() => run.output().includes('no pipeline changed'), 60_000, 'the unchanged reload');
    expect(await metric(port, 'sluice_config_reloads_total{result="unchanged"}')).toEqual([
      'sluice_config_reloads_total{result="unchanged"} 1',
    ]);

    run.child.kill('SIGTERM');
    expect(await run.exited, run.output().slice(-3000)).toEqual({ code: 0, signal: null });
    expect(new Set(traces(out('a-2.ndjson'))).size).toBe(traces(out('a-2.ndjson')).length);
    expect(logs(run, 'b', 'released the pipeline lease')).toHaveLength(1);
  }, 300_000);

  it('picks up a changed config file without a signal when SLUICE_CONFIG_RELOAD_SECONDS is set', async () => {
    const { dir, conf } = workspace();
    writeFileSync(join(dir, 'logs-a', '1.log.gz'), albObject(1, 20));
    writeFileSync(join(dir, 'logs-b', '1.log.gz'), albObject(2, 25));
    const run = startSluice(['run', '--config', conf], { SLUICE_CONFIG_RELOAD_SECONDS: '1' });
    const out = (name: string) => join(dir, 'out', name);
    await waitFor(
      () => lines(out('a-1.ndjson')).length === 20 && lines(out('b-1.ndjson')).length === 25,
      60_000,
      'both pipelines to write their objects',
    );
    writeConfig(conf, 'b', pipelineYaml('b', 'b-2.ndjson'));
    await waitFor(() => logs(run, undefined, 'config reloaded').length === 1, 60_000, 'the reload by the watch');
    expect(logs(run, undefined, 'config reload requested')[0]).toMatchObject({ reason: 'config changed' });
    expect(logs(run, undefined, 'config reloaded')[0]).toMatchObject({ keep: ['a'], restart: ['b'] });
    writeFileSync(join(dir, 'logs-b', '2.log.gz'), albObject(3, 5));
    await waitFor(() => lines(out('b-2.ndjson')).length === 5, 60_000, 'b-2 to get the new object');
    expect(lines(out('b-1.ndjson'))).toHaveLength(25);
    expect(logs(run, 'a', 'lease held; pipeline running')).toHaveLength(1);
    // A pipeline added in a new file starts; one whose file goes away stops.
    mkdirSync(join(dir, 'logs-c'));
    writeFileSync(join(dir, 'logs-c', '1.log.gz'), albObject(4, 3));
    writeConfig(conf, 'c', pipelineYaml('c', 'c.ndjson'));
    await waitFor(() => lines(out('c.ndjson')).length === 3, 60_000, 'the added pipeline c');
    expect(logs(run, undefined, 'config reloaded')[1]).toMatchObject({ keep: ['a', 'b'], start: ['c'] });
    rmSync(join(conf, 'a.yml'));
    await waitFor(() => logs(run, undefined, 'config reloaded').length === 3, 60_000, 'the removal of a');
    expect(logs(run, undefined, 'config reloaded')[2]).toMatchObject({ keep: ['b', 'c'], stop: ['a'] });
    expect(logs(run, 'a', 'released the pipeline lease')).toHaveLength(1);
    // b let go once, when it restarted for b-2; c, started by the reload before, was left alone.
    expect(logs(run, 'b', 'released the pipeline lease')).toHaveLength(1);
    expect(logs(run, 'c', 'released the pipeline lease')).toHaveLength(0);

    run.child.kill('SIGTERM');
    expect(await run.exited, run.output().slice(-3000)).toEqual({ code: 0, signal: null });
  }, 240_000);
});
