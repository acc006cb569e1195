/** The config a command reads: `--config`, else SLUICE_CONFIG, else ./pipelines. */
export function configPath(option: string | undefined): string {
  return option ?? process.env.SLUICE_CONFIG ?? 'pipelines';
}
