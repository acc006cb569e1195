import { z } from 'zod';
import type { ComponentContext, Output, WriteReport } from '../core/components.js';
import type { LogEvent } from '../core/event.js';

export const stdoutOutputConfigSchema = z
  .strictObject({
    type: z.literal('stdout'),
  })
  .describe('Print one JSON document per line on standard output (logs go to stderr).');

export type StdoutOutputConfig = z.infer<typeof stdoutOutputConfigSchema>;

/** NDJSON on stdout; a write settles once the stream has taken the bytes. */
export class StdoutOutput implements Output {
  readonly type = 'stdout';

  constructor(
    private readonly ctx: ComponentContext,
    private readonly stream: NodeJS.WritableStream = process.stdout,
  ) {}

  async start(): Promise<void> {}

  async write(events: LogEvent[]): Promise<WriteReport> {
    if (events.length === 0) return { stored: 0, duplicates: 0, deadLettered: 0 };
    let text = '';
    for (const event of events) text += `${JSON.stringify(event.doc)}\n`;
    await new Promise<void>((resolve, reject) => {
      this.stream.write(text, (error) => (error ? reject(error) : resolve()));
    });
    this.ctx.metrics.eventsIndexed.inc({ pipeline: this.ctx.pipeline, output: this.type }, events.length);
    return { stored: events.length, duplicates: 0, deadLettered: 0 };
  }

  async close(): Promise<void> {}
}
