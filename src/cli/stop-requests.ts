import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';

/** What makes a run drain: SIGTERM, SIGINT, SIGHUP, and the reader of stdout going away. */
export interface StopRequests {
  /** Aborted by the first request to stop. */
  readonly signal: AbortSignal;
  /** Whether stdout's reader went away (the run then exits 1). */
  readonly stdoutClosed: boolean;
  /** Removes the handlers; the stdout one stays once stdout closed. */
  dispose(): void;
}

export function watchStopRequests(logger: Logger): StopRequests {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1 && signal === 'SIGINT') process.exit(130);
    logger.info({ signal }, 'stop requested: draining');
    controller.abort(new Error(signal));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // No reload yet: a hang-up drains like SIGTERM instead of killing the worker with its lease.
  process.on('SIGHUP', onSignal);
  // Nothing can be printed once stdout's reader is gone: the stdout output fails (ERR_OUTPUT_STDOUT), and the worker drains.
  let stdoutClosed = false;
  const onStdoutError = (error: Error) => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    logger.error({ code: 'ERR_OUTPUT_STDOUT', err: errorMessage(error) }, 'standard output closed: draining');
    controller.abort(error);
  };
  process.stdout.on('error', onStdoutError);
  return {
    signal: controller.signal,
    get stdoutClosed() {
      return stdoutClosed;
    },
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGHUP', onSignal);
      // Left on: a write still queued must not crash the exit with an unhandled EPIPE.
      if (!stdoutClosed) process.stdout.off('error', onStdoutError);
    },
  };
}
