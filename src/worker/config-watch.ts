import type { Logger } from 'pino';
import { configVersion } from '../config/config-version.js';
import type { S3ConfigOptions } from '../config/s3-config-files.js';
import { logFields } from '../core/errors.js';

export interface ConfigWatchOptions {
  /** The config as the run was given it: a file, a folder or an s3:// URI. */
  path: string;
  s3?: S3ConfigOptions;
  intervalMs: number;
  /** The version the running config was loaded at (read before it was loaded), so an edit in between is not missed. */
  initial: string | undefined;
  logger: Logger;
  onChange: () => void;
}

/**
 * Polls the config's files (a content hash) or S3 objects (ETags) every `intervalMs` and calls
 * `onChange` when they differ from the last version seen. A config that cannot be read at a poll
 * is logged and tried again at the next one; the running config stays. Returns what stops it.
 */
export function watchConfig(options: ConfigWatchOptions): () => void {
  let last = options.initial;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  const poll = async () => {
    try {
      const version = await configVersion(options.path, options.s3);
      if (failing) options.logger.info({ config: options.path }, 'config readable again');
      failing = false;
      if (last !== undefined && version !== last && !stopped) options.onChange();
      last = version;
    } catch (error) {
      // Once per outage, not at every poll.
      if (!failing) {
        options.logger.warn(
          { config: options.path, ...logFields(error) },
          'config watch: cannot read the config; the running config stays',
        );
      }
      failing = true;
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(poll, options.intervalMs);
    // The watch alone never keeps a stopping process alive.
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
