import type { WriteReport } from '../core/components.js';

/** Settles one write() once each of its events is accounted for, whatever batches they travelled in. */
export class WriteTracker {
  readonly promise: Promise<WriteReport>;
  private remaining: number;
  private readonly report: WriteReport = { stored: 0, duplicates: 0, deadLettered: 0 };
  private settled = false;
  private resolveFn!: (report: WriteReport) => void;
  private rejectFn!: (error: unknown) => void;

  constructor(events: number) {
    this.remaining = events;
    this.promise = new Promise<WriteReport>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    if (events === 0) this.finish();
  }

  done(outcome: keyof WriteReport): void {
    this.report[outcome] += 1;
    this.remaining -= 1;
    if (this.remaining === 0) this.finish();
  }

  /** The first failure wins; later outcomes of the same write are ignored. */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(error);
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn({ ...this.report });
  }
}
