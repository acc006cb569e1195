/**
 * One pipeline as `sluice test` runs it: the parser, filters, record limits and output routing
 * the worker builds from the same config, with sources and outputs left out. An input goes
 * through the worker's own pieces (decompress, framing, pipeline/record-loop.ts, the per-object
 * dead-letter cap, pipeline/routed-output.ts), and what would have been sent is captured.
 */
import type { Readable } from 'node:stream';
import type { LoadedPipeline } from '../config/load-config.js';
import type { ComponentContext, DeadLetterEntry, Filter, Output, ParserFactory } from '../core/components.js';
import { errorLevel } from '../core/errors.js';
import type { Doc, LogEvent, SourceObject } from '../core/event.js';
import { silentLogger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { type PipelineSettings, resolvePipelineSettings } from '../core/pipeline-settings.js';
import { fieldNaming } from '../ecs/field-naming.js';
import { compileCondition, type DocPredicate } from '../filters/condition.js';
import { createFilter } from '../filters/index.js';
import { frameRecords } from '../parsers/framing/frame-records.js';
import { createParserFactory } from '../parsers/index.js';
import { DeadLetterCapError, deadLetterCapExceeded } from '../pipeline/dead-letter-cap.js';
import { decideObjectFailure, quarantineEntry } from '../pipeline/object-failure-policy.js';
import { rawTextRedactor } from '../pipeline/raw-text-redactor.js';
import { RecordLoop } from '../pipeline/record-loop.js';
import { RoutedOutput } from '../pipeline/routed-output.js';
import { decodeObjectStream } from '../sources/decompress.js';

/** One event that passed the filters, and the outputs (by index) it was routed to. */
export interface ActualEvent {
  record: number;
  sub: number;
  doc: Doc;
  outputs: number[];
}

/** A dead-letter entry as the case produced it, its reason redacted as the dead-letter's are. */
export interface ActualDeadLetter {
  record: number;
  sub?: number;
  code: string;
  reason: string;
}

/** What one input produced. */
export interface CaseOutcome {
  events: ActualEvent[];
  /** The record number of each event a filter dropped, in order. */
  dropped: number[];
  deadLetters: ActualDeadLetter[];
}

/** An output that keeps what it is given: the test's stand-in for the real one, behind the real routing. */
class CapturingOutput implements Output {
  readonly received: LogEvent[] = [];
  constructor(readonly type: string) {}
  async start(): Promise<void> {}
  async write(events: LogEvent[]) {
    this.received.push(...events);
    return { stored: events.length, duplicates: 0, deadLettered: 0 };
  }
  async close(): Promise<void> {}
}

/** The same filters, telling `onDrop` about each event one of them drops. */
function watchDrops(filters: readonly Filter[], onDrop: (event: LogEvent) => void): Filter[] {
  return filters.map((filter) => ({
    type: filter.type,
    apply(event: LogEvent): boolean {
      const kept = filter.apply(event);
      if (!kept) onDrop(event);
      return kept;
    },
  }));
}

export class PipelineHarness {
  private constructor(
    readonly id: string,
    private readonly parser: ParserFactory,
    private readonly filters: Filter[],
    private readonly outputWhen: (DocPredicate | undefined)[],
    private readonly settings: PipelineSettings,
    private readonly rename: ((doc: Doc) => Doc) | undefined,
  ) {}

  /** Builds the pipeline's parser and filters (a geoip filter opens its database here). */
  static async build(loaded: LoadedPipeline): Promise<PipelineHarness> {
    const config = loaded.config;
    const context: ComponentContext = {
      pipeline: config.id,
      logger: silentLogger(),
      metrics: new Metrics(),
      baseDir: loaded.baseDir,
    };
    const filters: Filter[] = [];
    try {
      for (const filterConfig of config.filters) filters.push(await createFilter(filterConfig, context));
    } catch (error) {
      await Promise.allSettled(filters.map((filter) => filter.close?.()));
      throw error;
    }
    // As build-pipeline.ts: with schema: ecs, routing sees renamed events, its conditions rewritten.
    const naming = fieldNaming(config.schema, config.parser.type);
    const when = config.outputs.map((output) =>
      output.when ? compileCondition(naming?.condition(output.when) ?? output.when) : undefined,
    );
    return new PipelineHarness(
      config.id,
      createParserFactory(config.parser),
      filters,
      when,
      resolvePipelineSettings(config),
      naming?.rename,
    );
  }

  /** Reads one object's bytes (plain or gzip) as the worker reads an object of this pipeline. */
  async run(raw: Readable, key: string): Promise<CaseOutcome> {
    const dropped: LogEvent[] = [];
    const object: SourceObject = { bucket: '', key, etag: '', size: 0, lastModified: new Date(0) };
    const loop = new RecordLoop({
      parser: this.parser,
      filters: watchDrops(this.filters, (event) => dropped.push(event)),
      rename: this.rename,
      object: { pipeline: this.id, bucket: '', key, etag: '', lastModified: 0 },
      resumeAfter: 0,
      maxRecordBytes: this.settings.maxRecordBytes,
    });
    const captures = this.outputWhen.map((_, index) => new CapturingOutput(`output ${index}`));
    const outputs = captures.map((capture, index) => new RoutedOutput(capture, this.outputWhen[index]));
    const entries: DeadLetterEntry[] = [];
    const sent: LogEvent[] = [];
    let read = 0;
    try {
      for await (const batch of frameRecords(decodeObjectStream(raw, { key }), this.parser.framing, loop.framing)) {
        const result = loop.run(batch);
        if (result === null) continue;
        read += result.read;
        // As process-object.ts: a batch that takes the object past its cap is not sent; the object is quarantined.
        const passed = deadLetterCapExceeded(
          this.settings.deadLetterCap,
          entries.length + result.failures.length,
          read,
        );
        if (passed !== undefined) throw new DeadLetterCapError(passed, { pipeline: this.id, key });
        entries.push(...result.failures);
        sent.push(...result.events);
        for (const output of outputs) await output.write(result.events);
      }
    } catch (error) {
      // The object's own failure (corrupt gzip, past its cap) ends, as in the worker once its
      // attempts are used up, in one quarantine entry about the whole object (record 0).
      if (errorLevel(error) !== 'object') throw error;
      const attempts = this.settings.maxObjectAttempts;
      const decision = decideObjectFailure(error, { object: attempts - 1, pipeline: 0 }, attempts);
      if (decision.action !== 'quarantine') throw error;
      entries.push(quarantineEntry(this.id, object, error, decision.reason));
    }
    return this.outcome(sent, captures, dropped, entries);
  }

  private outcome(
    sent: LogEvent[],
    captures: CapturingOutput[],
    dropped: LogEvent[],
    entries: DeadLetterEntry[],
  ): CaseOutcome {
    const received = captures.map((capture) => new Set(capture.received));
    const redact = rawTextRedactor(this.filters);
    return {
      events: sent.map((event) => ({
        record: event.origin.record,
        sub: event.origin.sub,
        doc: event.doc,
        outputs: received.flatMap((set, index) => (set.has(event) ? [index] : [])),
      })),
      dropped: dropped.map((event) => event.origin.record),
      deadLetters: entries.map(({ record, sub, code, reason }) => ({
        record,
        ...(sub === undefined ? {} : { sub }),
        code,
        reason: redact(reason),
      })),
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.filters.map((filter) => filter.close?.()));
  }
}
