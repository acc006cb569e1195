import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { geoipDatabasePath } from '../../helpers/services.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/sluice.js');

/**
 * The built CLI as a user's CI runs it: no AWS, no OpenSearch, only the GeoIP database the
 * shipped pipelines' geoip filter opens. None of the variables the pipelines need is set.
 */
async function sluiceTest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, GEOIP_DATABASE: geoipDatabasePath() };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'test', ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A copy of pipelines/ (configs, tests and samples) in a temporary folder, to edit one expectation. */
function pipelinesCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-test-cli-')), 'pipelines');
  cpSync(join(ROOT, 'pipelines'), dir, { recursive: true });
  return dir;
}

describe('sluice test', () => {
  it('passes every case of the shipped pipelines when run on their tests folder', async () => {
    const result = await sluiceTest(['--config', 'pipelines/']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('pipelines/tests/alb.test.yml\n');
    expect(result.stdout).toContain('pipelines/tests/waf.test.yml\n');
    expect(result.stdout).not.toContain('FAIL');
    expect(result.stdout).toMatch(/\n10 cases passed, 0 failed\n$/);
    expect(result.code).toBe(0);
  });

  it('fails with the expected and actual value when one expectation is wrong, and passes once it is right', async () => {
    const dir = pipelinesCopy();
    const file = join(dir, 'tests/alb.test.yml');
    const right = readFileSync(file, 'utf8');
    expect(right).toContain('          elb_status_code: 502\n');
    writeFileSync(file, right.replace('          elb_status_code: 502\n', '          elb_status_code: 504\n'));

    const failing = await sluiceTest([file]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(
      /FAIL {2}keeps a Lambda target's 502 with no target status and the error reason \(.*alb\.test\.yml:\d+:5, pipeline alb\)/,
    );
    expect(failing.stdout).toMatch(
      /event 1 \(record 1\): field elb_status_code \(.*alb\.test\.yml:\d+:\d+\)\n {6}expected: 504\n {6}actual: {3}502\n/,
    );
    expect(failing.stdout).toMatch(
      /event 1 as produced \(outputs 0 \(alb-logs-%\{\+YYYY\.MM\.dd\}\)\):\n {6}\{"type":"http"/,
    );
    expect(failing.stdout).toMatch(/\n5 cases passed, 1 failed\n$/);

    writeFileSync(file, right);
    const passing = await sluiceTest([file]);
    expect(passing.stdout).toMatch(/\n6 cases passed, 0 failed\n$/);
    expect(passing.code).toBe(0);
  });

  it('fails when an event is routed to an output the case does not expect', async () => {
    const dir = pipelinesCopy();
    const file = join(dir, 'tests/waf.test.yml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('        outputs: [0]\n');
    writeFileSync(file, text.replace('        outputs: [0]\n', '        outputs: [0, 1]\n'));
    const result = await sluiceTest([file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /event 1 \(record 1\): outputs \(.*waf\.test\.yml:\d+:\d+\)\n {6}expected: 0 \(waf-logs-%\{\+YYYY\.MM\.dd\}\), 1 \(waf-blocked-%\{\+YYYY\.MM\.dd\}\)\n {6}actual: {3}0 \(waf-logs-%\{\+YYYY\.MM\.dd\}\)\n/,
    );
  });

  it('exits 78 with file:line:col when a test file is invalid', async () => {
    const dir = pipelinesCopy();
    const file = join(dir, 'tests/alb.test.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    dead_letters: []\n', '    dead_leters: []\n'));
    const result = await sluiceTest([file]);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(
      /alb\.test\.yml:\d+:5 tests\[0\]\.dead_leters: unknown key "dead_leters" \(did you mean "dead_letters"\?\)/,
    );
  });

  it('exits 78 and says what to fix when the GeoIP database is missing', async () => {
    const env = { PATH: process.env.PATH, GEOIP_DATABASE: '/nonexistent/GeoLite2-City.mmdb' };
    const result = await promisify(execFile)(process.execPath, [BIN, 'test', 'pipelines/tests/waf.test.yml'], {
      cwd: ROOT,
      env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect((result as { code: number }).code).toBe(78);
    expect((result as { stderr: string }).stderr).toMatch(/ERR_FILTER_BUILD: cannot open GeoIP database \/nonexistent/);
  });
});
