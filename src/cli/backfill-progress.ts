import type { Logger } from 'pino';
import type { SourceObject } from '../core/event.js';
import type { RunMode, RunSummary } from '../pipeline/pipeline-runner.js';

/** Prints backfill progress (objects, bytes, events, rate, ETA) every `intervalMs` (SLUICE_PROGRESS_INTERVAL_SECONDS), and a summary at the end. */
export class BackfillProgress {
  private objects = 0;
  private bytes = 0;
  private events = 0;
  private newest = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly mode: Extract<RunMode, { kind: 'backfill' }>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.logger.info(
      { from: this.mode.from.toISOString(), to: this.mode.to?.toISOString() ?? null },
      'backfill started',
    );
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.timer.unref();
  }

  objectDone(_pipeline: string, object: SourceObject, events: number): void {
    this.objects++;
    this.bytes += object.size;
    this.events += events;
    this.newest = Math.max(this.newest, object.lastModified.getTime());
  }

  private report(): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = this.events / Math.max(seconds, 0.001);
    const end = (this.mode.to ?? new Date()).getTime();
    const span = end - this.mode.from.getTime();
    const covered = this.newest > 0 ? Math.min(1, Math.max(0, (this.newest - this.mode.from.getTime()) / span)) : 0;
    const etaSeconds = covered > 0 ? Math.round((seconds / covered) * (1 - covered)) : null;
    this.logger.info(
      {
        objects: this.objects,
        bytes: this.bytes,
        events: this.events,
        eventsPerSecond: Math.round(rate),
        etaSeconds,
      },
      'backfill progress',
    );
  }

  stop(summaries: Record<string, RunSummary>): void {
    if (this.timer) clearInterval(this.timer);
    const seconds = (Date.now() - this.started) / 1000;
    const line = `backfill done: ${this.objects} objects, ${this.bytes} bytes, ${this.events} events in ${seconds.toFixed(1)} s`;
    this.logger.info(
      { objects: this.objects, bytes: this.bytes, events: this.events, seconds, pipelines: summaries },
      line,
    );
    process.stdout.write(`${line}\n`);
  }
}
