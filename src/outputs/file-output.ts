import { resolve } from 'node:path';
import { z } from 'zod';
import type { ComponentContext, Output, WriteReport } from '../core/components.js';
import { errorMessage, invalidSetting, OutputError } from '../core/errors.js';
import type { LogEvent } from '../core/event.js';
import { checkEventPattern, compileEventPattern } from './event-pattern.js';
import { NdjsonAppender } from './ndjson-appender.js';

export const fileOutputConfigSchema = z
  .strictObject({
    type: z.literal('file'),
    path: z
      .string()
      .min(1)
      .superRefine(checkEventPattern)
      .describe(
        'File to append NDJSON to, relative to the config file; `%{+YYYY.MM.dd}` (event time, UTC) and `%{[field]}` ' +
          'are expanded per event, e.g. out/alb-%{+YYYY-MM-dd}.ndjson.',
      ),
  })
  .describe('Append one JSON document per line to local files; fsync before acknowledging.');

export type FileOutputConfig = z.infer<typeof fileOutputConfigSchema>;

/** NDJSON files; a write settles after its lines are fsynced. */
export class FileOutput implements Output {
  readonly type = 'file';
  private readonly path: (event: LogEvent) => string;
  private readonly appender = new NdjsonAppender();

  constructor(
    config: FileOutputConfig,
    private readonly ctx: ComponentContext,
  ) {
    let pattern: (event: LogEvent) => string;
    try {
      pattern = compileEventPattern(config.path);
    } catch (error) {
      throw invalidSetting('path', `path ${JSON.stringify(config.path)}: ${errorMessage(error)}`, error);
    }
    this.path = (event) => resolve(ctx.baseDir, pattern(event));
  }

  async start(): Promise<void> {}

  async write(events: LogEvent[]): Promise<WriteReport> {
    const chunks = new Map<string, string>();
    for (const event of events) {
      const path = this.path(event);
      chunks.set(path, `${chunks.get(path) ?? ''}${JSON.stringify(event.doc)}\n`);
    }
    try {
      await this.appender.append(chunks);
    } catch (cause) {
      throw new OutputError(
        'ERR_OUTPUT_FILE',
        `cannot append to ${[...chunks.keys()].join(', ')}`,
        { pipeline: this.ctx.pipeline },
        'Check that the directory exists or can be created, is writable, and the disk is not full.',
        cause,
      );
    }
    this.ctx.metrics.eventsIndexed.inc({ pipeline: this.ctx.pipeline, output: this.type }, events.length);
    return { stored: events.length, duplicates: 0, deadLettered: 0 };
  }

  close(): Promise<void> {
    return this.appender.close();
  }
}
