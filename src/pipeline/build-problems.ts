import type { PipelinePlace } from '../config/pipeline-parts.js';
import { formatPath } from '../config/yaml-position.js';
import { ConfigError, type ConfigProblem, errorMessage, SluiceError } from '../core/errors.js';

/**
 * Collects what goes wrong while one pipeline's components are built (a GeoIP database that
 * does not open, a pattern that does not compile, a CA or template file that cannot be read),
 * each at the position of the setting that names it, so every problem is reported at once as
 * `file:line:col path: message`, like a schema problem.
 */
export class BuildProblems {
  private readonly problems: ConfigProblem[] = [];

  constructor(private readonly place: PipelinePlace) {}

  /** Builds one component whose settings live at `path` under the pipeline; undefined when it failed. */
  async attempt<T>(path: readonly PropertyKey[], build: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await build();
    } catch (error) {
      this.add(path, error);
      return undefined;
    }
  }

  /** A failure of the component at `path`; the error's `setting` (e.g. `tls.ca_file`) narrows the position. */
  add(path: readonly PropertyKey[], error: unknown): void {
    if (error instanceof ConfigError) {
      this.problems.push(...error.problems);
      return;
    }
    if (error instanceof AggregateError) {
      for (const each of error.errors) this.add(path, each);
      return;
    }
    const setting = error instanceof SluiceError ? error.context.setting : undefined;
    const full = [...path, ...(typeof setting === 'string' ? setting.split('.') : [])];
    this.problems.push({
      ...this.place.locate(full),
      path: formatPath(['pipelines', this.place.index, ...full]),
      message: errorMessage(error),
    });
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  /** Every problem found. */
  list(): ConfigProblem[] {
    return [...this.problems];
  }

  /** Every problem found, as one ConfigError (exit 78 for the CLI). */
  error(): ConfigError {
    return new ConfigError(this.list());
  }
}
