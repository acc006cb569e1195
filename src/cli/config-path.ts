import { type ConfigSourceOptions, type LoadedConfig, loadConfig } from '../config/load-config.js';
import { ConfigError } from '../core/errors.js';
import type { Settings } from './environment.js';

/** The config a command reads: `--config`, else SLUICE_CONFIG (see environment.ts for its default). */
export function configPath(option: string | undefined, settings: Pick<Settings, 'config'>): string {
  return option ?? settings.config;
}

/** How a command reads its config: path-style addressing for an s3:// config (SLUICE_CONFIG_S3_FORCE_PATH_STYLE). */
export function configSource(settings: Pick<Settings, 'configS3ForcePathStyle'>): ConfigSourceOptions {
  return { s3: { forcePathStyle: settings.configS3ForcePathStyle } };
}

/**
 * Loads the config for a command that prints to stderr (setup, status): every problem and
 * their count, then undefined for the caller to exit 78. Errors that are not config problems
 * propagate.
 */
export async function loadConfigOrReport(path: string, source: ConfigSourceOptions): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig(path, process.env, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n${error.problems.length} problem(s) in ${path}\n`);
    return undefined;
  }
}
