import { type ErrorContext, SluiceError } from '../core/errors.js';
import { EXIT_USAGE } from './exit-codes.js';

/** The command line or the environment asks for something sluice cannot do; exits 64 (EX_USAGE). */
export class UsageError extends SluiceError {
  constructor(message: string, context: ErrorContext = {}, hint = 'Run `sluice <command> --help` for the options.') {
    super('ERR_USAGE', message, { context, hint });
  }
}

/** One environment variable whose value sluice cannot use. */
export interface EnvironmentProblem {
  variable: string;
  value: string;
  message: string;
}

/** Every SLUICE_* variable with a value sluice cannot use, reported at once before anything starts. */
export class EnvironmentError extends UsageError {
  readonly problems: EnvironmentProblem[];
  constructor(problems: EnvironmentProblem[]) {
    super(
      problems.map((p) => `${p.variable}=${JSON.stringify(p.value)}: ${p.message}`).join('\n'),
      { variables: problems.map((p) => p.variable) },
      'Fix or unset each variable listed; `sluice run --help` lists them with their defaults.',
    );
    this.problems = problems;
  }
}

/**
 * A command line a command cannot parse (an unknown option, a stray argument): the reason, the
 * command's usage line(s) from its help and where the rest is, on stderr; returns 64 (EX_USAGE).
 */
export function reportBadArguments(command: string, error: unknown, help: string): number {
  const reason = error instanceof Error ? error.message : String(error);
  const usage = help.slice(0, help.indexOf('\n\n') === -1 ? undefined : help.indexOf('\n\n'));
  process.stderr.write(`sluice ${command}: ${reason}\n${usage}\nRun \`sluice ${command} --help\` for the options.\n`);
  return EXIT_USAGE;
}
