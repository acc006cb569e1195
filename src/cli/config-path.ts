import type { Settings } from './environment.js';

/** The config a command reads: `--config`, else SLUICE_CONFIG (see environment.ts for its default). */
export function configPath(option: string | undefined, settings: Pick<Settings, 'config'>): string {
  return option ?? settings.config;
}
