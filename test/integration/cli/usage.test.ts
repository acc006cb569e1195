import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/process.js';
import { startSluice } from '../../helpers/sluice-process.js';

async function sluice(args: string[]) {
  const run = startSluice(args);
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
  ])('exits 64 with the reason and the usage line of %s when an option is unknown', async (command, args, usage) => {
    const result = await sluice(args);
    expect(result.code, result.output).toBe(64);
    expect(result.output).toContain(`sluice ${command}: Unknown option '--bogus'`);
    expect(result.output).toContain(usage);
    expect(result.output).toContain(`Run \`sluice ${command} --help\` for the options.`);
    expect(result.output).not.toMatch(/^\s+at /m);
  });

  it('validates the path given without --config, and refuses two paths', async () => {
    const invalid = await sluice(['validate', join(repoRoot, 'test/integration/cli/no-such-dir')]);
    expect(invalid.code).toBe(78);
    expect(invalid.output).toContain('no-such-dir');
    const two = await sluice(['validate', 'a.yml', 'b.yml']);
    expect(two.code).toBe(64);
    expect(two.output).toContain('give one config path');
  });
});
