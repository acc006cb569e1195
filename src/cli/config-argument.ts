/**
 * The config path a command line gives: `--config PATH` or one PATH alone (`sluice run PATH`),
 * never both and never two; undefined when neither (configPath then falls back to SLUICE_CONFIG).
 * Throws for the command's usage report (exit 64).
 */
export function configArgument(option: string | undefined, positionals: readonly string[]): string | undefined {
  if (positionals.length > 1 || (positionals.length === 1 && option !== undefined)) {
    const given = [...(option === undefined ? [] : [`--config ${option}`]), ...positionals].join(', ');
    throw new Error(`give one config path: --config PATH or PATH (got ${given})`);
  }
  return option ?? positionals[0];
}
