import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * What makes a run drain (SIGTERM, SIGINT, the reader of stdout going away) and what makes a live
 * run reload its config (SIGHUP). Installed first thing in main.ts, before any command module
 * loads, so a SIGTERM that comes while sluice starts is a stop request, not a kill.
 */
export interface StopRequests {
  /** Aborted by the first request to stop. */
  readonly signal: AbortSignal;
  /** Whether stdout's reader went away (the run then exits 1). */
  readonly stdoutClosed: boolean;
  /**
   * For a command that drains (run, backfill, demo): logs through `logger` from now on (and the
   * request that came before, if any), and drains when stdout's reader goes away.
   */
  attach(logger: Logger): void;
  /** SIGHUP calls `listener` (a live run reloads); without one a hang-up is logged and ignored. */
  onReload(listener: (() => void) | undefined): () => void;
  /**
   * For a command that does not drain (validate, parse, ...): removes the handlers, so signals
   * have their default effect again; one that came before is raised again.
   */
  release(): void;
  /** Removes the handlers; the stdout one stays once stdout closed. */
  dispose(): void;
}

export function installStopRequests(): StopRequests {
  const controller = new AbortController();
  let logger: Logger | undefined;
  let pending: NodeJS.Signals | undefined;
  let reload: (() => void) | undefined;
  let signals = 0;
  const onStop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1 && signal === 'SIGINT') process.exit(130);
    pending ??= signal;
    logger?.info({ signal }, 'stop requested: draining');
    controller.abort(new Error(signal));
  };
  const onHangUp = () => {
    if (reload) {
      logger?.info({ signal: 'SIGHUP' }, 'reload requested');
      reload();
    } else {
      // A bounded run (--once, a backfill) does not reload, and a hang-up must not kill it with its lease.
      logger?.info({ signal: 'SIGHUP' }, 'SIGHUP ignored: only a live `sluice run` reloads its config');
    }
  };
  let stdoutClosed = false;
  // Nothing can be printed once stdout's reader is gone: the stdout output fails (ERR_OUTPUT_STDOUT), and the worker drains.
  const onStdoutError = (error: Error) => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    logger?.error({ code: 'ERR_OUTPUT_STDOUT', err: errorMessage(error) }, 'standard output closed: draining');
    controller.abort(error);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onStop);
  process.on('SIGHUP', onHangUp);
  let attached = false;
  const removeSignals = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onStop);
    process.off('SIGHUP', onHangUp);
  };
  return {
    signal: controller.signal,
    get stdoutClosed() {
      return stdoutClosed;
    },
    attach(runLogger) {
      logger = runLogger;
      if (pending) logger.info({ signal: pending }, 'stop requested: draining');
      if (!attached) process.stdout.on('error', onStdoutError);
      attached = true;
    },
    onReload(listener) {
      reload = listener;
      return () => {
        if (reload === listener) reload = undefined;
      };
    },
    release() {
      removeSignals();
      if (pending) process.kill(process.pid, pending);
    },
    dispose() {
      removeSignals();
      // Left on: a write still queued must not crash the exit with an unhandled EPIPE.
      if (attached && !stdoutClosed) process.stdout.off('error', onStdoutError);
    },
  };
}
