import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import { ConfigError } from '../core/errors.js';
import type { Settings } from './environment.js';

/** The config a command reads: `--config`, else SLUICE_CONFIG (see environment.ts for its default). */
export function configPath(option: string | undefined, settings: Pick<Settings, 'config'>): string {
  return option ?? settings.config;
}

/**
 * Loads the config for a command that prints to stderr (setup, status): every problem and
 * their count, then undefined for the caller to exit 78. Errors that are not config problems
 * propagate.
 */
export async function loadConfigOrReport(path: string): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n${error.problems.length} problem(s) in ${path}\n`);
    return undefined;
  }
}
