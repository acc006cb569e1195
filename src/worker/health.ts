import type { Metrics } from '../core/metrics.js';

/**
 * Pipeline health, updated by the runner and read by the HTTP server.
 *
 * Readiness (`/readyz`): the config is loaded, at least one pipeline is registered,
 * every pipeline is `running` or `waiting_for_lease` (a standby task that waits for the
 * lease is healthy: it takes over when the active one stops), and every output is reachable.
 *
 * Liveness (`/healthz`) decides whether ECS restarts the task, which interrupts every
 * pipeline of it. So it fails only when a restart can help and hurts nothing healthy:
 *  - a pipeline reported `restartRequired` (the runner knows its state is unrecoverable
 *    in-process), or
 *  - every pipeline has been `failing` for longer than `restartAfterSeconds` (nothing
 *    healthy left to interrupt; a fresh process re-reads credentials, DNS and config).
 * A single failing pipeline beside healthy siblings keeps `/healthz` at 200 and shows up
 * in the JSON body, in `/readyz` and in `sluice_pipeline_healthy`. A stalled event loop
 * is caught by the health check's own timeout: a blocked process cannot answer at all.
 */

import type { PipelineState } from '../pipeline/pipeline-runner.js';

export type { PipelineState };

export interface PipelineStatus {
  state: PipelineState;
  /** What the pipeline is doing, for people (e.g. "lease held by task abc until 12:00:30Z"). */
  detail?: string;
  /** The last error's message; never a secret. */
  lastError?: string;
  /** Set by the runner when only a new process can recover this pipeline; fails `/healthz`. */
  restartRequired?: boolean;
}

export interface PipelineHealth extends PipelineStatus {
  /** When the pipeline entered its current state (ISO 8601). */
  since: string;
  ready: boolean;
}

export interface OutputHealth {
  reachable: boolean;
  detail?: string;
  since: string;
}

/** One reason why the worker is not ready or not live. */
export interface HealthProblem {
  kind: 'config' | 'pipeline' | 'output';
  id?: string;
  reason: string;
}

export interface HealthSnapshot {
  live: boolean;
  ready: boolean;
  configLoaded: boolean;
  pipelines: Record<string, PipelineHealth>;
  outputs: Record<string, OutputHealth>;
  /** Why `/readyz` fails; empty when ready. */
  notReady: HealthProblem[];
  /** Why `/healthz` fails; empty when live. */
  notLive: HealthProblem[];
}

export interface HealthRegistryOptions {
  /** How long every pipeline must fail before `/healthz` asks for a restart. Default 300. */
  restartAfterSeconds?: number;
  /** When given, `sluice_pipeline_healthy{pipeline}` follows each pipeline's state. */
  metrics?: Metrics;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

const READY_STATES: ReadonlySet<PipelineState> = new Set(['running', 'waiting_for_lease']);

interface PipelineEntry extends PipelineStatus {
  sinceMs: number;
}

interface OutputEntry {
  reachable: boolean;
  detail?: string;
  sinceMs: number;
}

export class HealthRegistry {
  private configLoaded = false;
  private readonly pipelines = new Map<string, PipelineEntry>();
  private readonly outputs = new Map<string, OutputEntry>();
  private readonly restartAfterMs: number;
  private readonly metrics?: Metrics;
  private readonly now: () => number;

  constructor(options: HealthRegistryOptions = {}) {
    this.restartAfterMs = (options.restartAfterSeconds ?? 300) * 1000;
    this.metrics = options.metrics;
    this.now = options.now ?? Date.now;
  }

  setConfigLoaded(): void {
    this.configLoaded = true;
  }

  setPipeline(id: string, status: PipelineStatus): void {
    const previous = this.pipelines.get(id);
    // `since` marks the state change, so repeated reports of the same state keep the original time.
    const sinceMs = previous && previous.state === status.state ? previous.sinceMs : this.now();
    this.pipelines.set(id, { ...status, sinceMs });
    this.metrics?.pipelineHealthy.set({ pipeline: id }, status.state === 'failing' ? 0 : 1);
  }

  /** `id` names one output of one pipeline, e.g. `alb/opensearch`. */
  setOutputReachable(id: string, ok: boolean, detail?: string): void {
    const previous = this.outputs.get(id);
    const sinceMs = previous && previous.reachable === ok ? previous.sinceMs : this.now();
    this.outputs.set(id, { reachable: ok, detail, sinceMs });
  }

  /** Forget a pipeline and its outputs (one a config reload removed). */
  removePipeline(id: string): void {
    this.pipelines.delete(id);
    for (const output of this.outputs.keys())
      if (output === id || output.startsWith(`${id}/`)) this.outputs.delete(output);
  }

  isReady(): boolean {
    return this.notReady().length === 0;
  }

  isLive(): boolean {
    return this.notLive().length === 0;
  }

  snapshot(): HealthSnapshot {
    const pipelines: Record<string, PipelineHealth> = {};
    for (const [id, entry] of this.pipelines) {
      const { sinceMs, ...status } = entry;
      pipelines[id] = { ...status, since: new Date(sinceMs).toISOString(), ready: READY_STATES.has(entry.state) };
    }
    const outputs: Record<string, OutputHealth> = {};
    for (const [id, entry] of this.outputs) {
      outputs[id] = {
        reachable: entry.reachable,
        ...(entry.detail === undefined ? {} : { detail: entry.detail }),
        since: new Date(entry.sinceMs).toISOString(),
      };
    }
    const notReady = this.notReady();
    const notLive = this.notLive();
    return {
      live: notLive.length === 0,
      ready: notReady.length === 0,
      configLoaded: this.configLoaded,
      pipelines,
      outputs,
      notReady,
      notLive,
    };
  }

  private notReady(): HealthProblem[] {
    const problems: HealthProblem[] = [];
    if (!this.configLoaded) problems.push({ kind: 'config', reason: 'configuration not loaded yet' });
    if (this.configLoaded && this.pipelines.size === 0) {
      problems.push({ kind: 'pipeline', reason: 'no pipeline started yet' });
    }
    for (const [id, entry] of this.pipelines) {
      if (READY_STATES.has(entry.state)) continue;
      problems.push({ kind: 'pipeline', id, reason: describePipeline(entry) });
    }
    for (const [id, entry] of this.outputs) {
      if (entry.reachable) continue;
      problems.push({ kind: 'output', id, reason: entry.detail ? `unreachable: ${entry.detail}` : 'unreachable' });
    }
    return problems;
  }

  private notLive(): HealthProblem[] {
    const problems: HealthProblem[] = [];
    for (const [id, entry] of this.pipelines) {
      if (entry.restartRequired) {
        problems.push({ kind: 'pipeline', id, reason: `restart required: ${describePipeline(entry)}` });
      }
    }
    if (problems.length > 0 || this.pipelines.size === 0) return problems;
    const now = this.now();
    const allFailingTooLong = [...this.pipelines.values()].every(
      (entry) => entry.state === 'failing' && now - entry.sinceMs >= this.restartAfterMs,
    );
    if (allFailingTooLong) {
      for (const [id, entry] of this.pipelines) {
        const seconds = Math.round((now - entry.sinceMs) / 1000);
        problems.push({
          kind: 'pipeline',
          id,
          reason: `every pipeline failing; this one for ${seconds}s: ${describePipeline(entry)}`,
        });
      }
    }
    return problems;
  }
}

function describePipeline(entry: PipelineStatus): string {
  const parts: string[] = [entry.state];
  if (entry.detail) parts.push(entry.detail);
  if (entry.lastError) parts.push(`last error: ${entry.lastError}`);
  return parts.join('; ');
}
