import type { LoadedConfig, LoadedPipeline } from '../config/load-config.js';

/** Runs one pipeline until it is done or `stopSignal` aborts (then it drains). */
export type RunPipeline = (loaded: LoadedPipeline, stopSignal: AbortSignal) => Promise<void>;

interface Running {
  loaded: LoadedPipeline;
  controller: AbortController;
  done: Promise<void>;
}

/** The config's pipelines a run selected (`--pipeline`, SLUICE_PIPELINES): all when none is named. */
export function selectedPipelines(config: LoadedConfig, ids: readonly string[] | undefined): LoadedPipeline[] {
  return config.pipelines.filter((pipeline) => !ids?.length || ids.includes(pipeline.config.id));
}

/**
 * The pipelines a worker runs, each with a stop signal of its own (aborted by the worker's stop
 * as well), so a reload can drain one pipeline while the others keep running. `settled()`
 * resolves once no pipeline runs and no change (`hold`) is under way.
 */
export class PipelineSet {
  private readonly running = new Map<string, Running>();
  private holds = 0;
  private readonly waiters: Array<() => void> = [];
  private failure: unknown;

  constructor(
    private readonly run: RunPipeline,
    private readonly workerStop: AbortSignal,
  ) {}

  /** The pipelines running now, by id. */
  loaded(): LoadedPipeline[] {
    return [...this.running.values()].map((entry) => entry.loaded);
  }

  start(loaded: LoadedPipeline): void {
    const id = loaded.config.id;
    if (this.running.has(id)) throw new Error(`pipeline ${id} is already running`);
    const controller = new AbortController();
    const entry: Running = {
      loaded,
      controller,
      done: this.run(loaded, AbortSignal.any([this.workerStop, controller.signal]))
        .catch((error: unknown) => {
          this.failure ??= error;
        })
        .finally(() => {
          if (this.running.get(id) === entry) this.running.delete(id);
          this.checkSettled();
        }),
    };
    this.running.set(id, entry);
  }

  /** Drains one pipeline (stops listing, finishes or checkpoints in-flight records, releases its lease). */
  async stop(id: string): Promise<void> {
    const entry = this.running.get(id);
    if (!entry) return;
    entry.controller.abort(new Error('reload'));
    await entry.done;
  }

  /** Keeps `settled()` from resolving while a change stops and starts pipelines. */
  async hold<T>(change: () => Promise<T>): Promise<T> {
    this.holds++;
    try {
      return await change();
    } finally {
      this.holds--;
      this.checkSettled();
    }
  }

  /** Resolves once every pipeline has returned and no change is under way; rejects with a pipeline run that threw. */
  async settled(): Promise<void> {
    while (!this.isSettled()) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  private isSettled(): boolean {
    return this.running.size === 0 && this.holds === 0;
  }

  private checkSettled(): void {
    if (!this.isSettled()) return;
    for (const wake of this.waiters.splice(0)) wake();
  }
}
