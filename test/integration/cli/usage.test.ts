import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/process.js';
import { startSluice } from '../../helpers/sluice-process.js';

async function sluice(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = startSluice(args, env);
  const exit = await run.exited;
  return { code: exit.code, output: run.output() };
}

describe('sluice command line', () => {
  it('prints the version of package.json and of node when asked for --version', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await sluice([flag]);
      expect(result.code).toBe(0);
      expect(result.output.trim()).toBe(`sluice ${version} (node ${process.version})`);
    }
  });

  it.each([
    ['run', ['run', '--bogus'], 'Usage: sluice run '],
    ['backfill', ['backfill', '--from', '2024-01-01', '--bogus'], 'Usage: sluice backfill '],
    ['validate', ['validate', '--bogus'], 'Usage: sluice validate '],
    ['parse', ['parse', '--parser', 'alb', '--bogus', 'x.log'], 'Usage: sluice parse '],
    ['status', ['status', '--bogus'], 'Usage: sluice status '],
    ['demo', ['demo', '--bogus'], 'Usage: sluice demo'],
    ['test', ['test', '--bogus'], 'Usage: sluice test '],
    ['setup', ['setup', '--bogus'], 'Usage: sluice setup '],
  ])('exits 64 with the reason and the usage line of %s when an option is unknown', async (command, args, usage) => {
    const result = await sluice(args);
    expect(result.code, result.output).toBe(64);
    expect(result.output).toContain(`sluice ${command}: Unknown option '--bogus'`);
    expect(result.output).toContain(usage);
    expect(result.output).toContain(`Run \`sluice ${command} --help\` for the options.`);
    expect(result.output).not.toMatch(/^\s+at /m);
  });

  it('exits 64 with the usage of demo when it is given an argument, since it takes none', async () => {
    const result = await sluice(['demo', 'examples/demo/demo.yml']);
    expect(result.code, result.output).toBe(64);
    expect(result.output).toContain("sluice demo: Unexpected argument 'examples/demo/demo.yml'");
    expect(result.output).toContain('Usage: sluice demo');
    expect(result.output).not.toContain('starting sluice');
  });

  it('validates the path given without --config, and refuses two paths', async () => {
    const invalid = await sluice(['validate', join(repoRoot, 'test/integration/cli/no-such-dir')]);
    expect(invalid.code).toBe(78);
    expect(invalid.output).toContain('no-such-dir');
    const two = await sluice(['validate', 'a.yml', 'b.yml']);
    expect(two.code).toBe(64);
    expect(two.output).toContain('give one config path');
  });

  it('runs and backfills the config given as a path without --config', async () => {
    const demo = join(repoRoot, 'examples/demo/demo.yml');
    const out = mkdtempSync(join(tmpdir(), 'sluice-positional-'));
    const dryRun = await sluice(['backfill', '--from', '2024-05-01', '--dry-run', demo], { SLUICE_DEMO_OUT: out });
    expect(dryRun.code, dryRun.output).toBe(0);
    expect(dryRun.output).toContain('demo-alb: 3 object(s)');
    const run = await sluice(['run', '--once', demo], { SLUICE_DEMO_OUT: out });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('demo-waf: 2 new object(s), 120 record(s), 120 event(s)');
    expect(existsSync(join(out, 'waf-blocked.ndjson'))).toBe(true);
  });

  it.each([
    ['run', ['run']],
    ['backfill', ['backfill', '--from', '2024-01-01']],
    ['status', ['status']],
  ])('reads the config %s is given as a path without --config', async (_command, args) => {
    const result = await sluice([...args, join(repoRoot, 'test/integration/cli/no-such-dir')]);
    expect(result.code, result.output).toBe(78);
    expect(result.output).toContain('no-such-dir');
  });

  it.each([
    ['run', ['run', '--config', 'a.yml', 'b.yml'], '(got --config a.yml, b.yml)'],
    ['backfill', ['backfill', '--from', '2024-01-01', 'a.yml', 'b.yml'], '(got a.yml, b.yml)'],
    ['status', ['status', '--config', 'a.yml', 'b.yml'], '(got --config a.yml, b.yml)'],
    ['validate', ['validate', '--config', 'a.yml', 'b.yml'], '(got --config a.yml, b.yml)'],
  ])('exits 64 before reading anything when %s is given two config paths', async (command, args, got) => {
    const result = await sluice(args);
    expect(result.code, result.output).toBe(64);
    expect(result.output).toContain(`sluice ${command}: give one config path: --config PATH or PATH ${got}`);
    expect(result.output).toContain(`Usage: sluice ${command} `);
    expect(result.output).not.toContain('starting sluice');
  });

  it('exits 64 when parse is given --show-route without --pipeline', async () => {
    const result = await sluice(['parse', '--parser', 'alb', '--show-route', 'x.log']);
    expect(result.code, result.output).toBe(64);
    expect(result.output).toContain('sluice parse: --show-route needs --pipeline');
  });
});
