import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { albObject } from '../../helpers/alb-data.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

const CONFIG = `pipelines:
  - id: early
    source: { type: file, path: logs }
    parser: { type: alb }
    outputs:
      - { type: file, path: out/alb.ndjson }
    checkpoint: { type: file, directory: state }
`;

/**
 * A folder whose config is a FIFO: sluice's read of it blocks until the test writes the config,
 * and the test's open for writing succeeds only once sluice has it open. That is the moment sluice
 * is loading its config, before it ran a pipeline: no sleep decides when the signal is sent.
 */
function folderWithFifoConfig(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-early-'));
  mkdirSync(join(dir, 'logs'));
  execFileSync('mkfifo', [join(dir, 'pipeline.yml')]);
  return { dir, config: join(dir, 'pipeline.yml') };
}

/** The FIFO opened for writing, once its reader has opened it; undefined before. */
function openWriter(fifo: string): number | undefined {
  try {
    return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
    throw error;
  }
}

describe('sluice run stopped while it starts', () => {
  it('exits 0 without running a pipeline when SIGTERM comes while it loads its config', async () => {
    // A few times: the fault was a window in the start, not a one-off.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { dir, config } = folderWithFifoConfig();
      const run = startSluice(['run', '--config', config], { SLUICE_LOG_LEVEL: 'info' });
      let writer: number | undefined;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      void run.exited.then((status) => {
        exit = status;
      });
      await waitFor(
        () => {
          writer = openWriter(config);
          return writer !== undefined || exit !== undefined;
        },
        60_000,
        'sluice to open its config',
      );
      expect(writer, run.output()).toBeDefined();
      run.child.kill('SIGTERM');
      // Handled (logged) or fatal (the process gone): only then is the config given.
      await waitFor(
        () => run.output().includes('stop requested') || exit !== undefined,
        60_000,
        'SIGTERM to be handled',
      );
      try {
        writeSync(writer!, CONFIG);
      } catch (error) {
        // EPIPE: the reader is gone, killed by the signal; the assertion below says so.
        if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      }
      closeSync(writer!);
      const status = await run.exited;
      expect(status, `attempt ${attempt}: ${run.output().slice(-2000)}`).toEqual({ code: 0, signal: null });
      expect(run.output()).toContain('"signal":"SIGTERM"');
      expect(run.output()).toContain('sluice stopped before any pipeline started');
      expect(existsSync(join(dir, 'state'))).toBe(false);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    }
  }, 180_000);

  it('runs the config it was given when no signal comes, as the control case', async () => {
    const { dir, config } = folderWithFifoConfig();
    writeFileSync(join(dir, 'logs', 'alb.log.gz'), albObject(0, 10));
    const run = startSluice(['run', '--once', '--config', config]);
    let writer: number | undefined;
    await waitFor(
      () => {
        writer = openWriter(config);
        return writer !== undefined;
      },
      60_000,
      'sluice to open its config',
    );
    writeSync(writer!, CONFIG);
    closeSync(writer!);
    const status = await run.exited;
    expect(status, run.output().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('early: 1 new object(s), 10 record(s), 10 event(s)');
  }, 120_000);
});
