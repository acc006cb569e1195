import { z } from 'zod';
import type { ComponentContext, Output, WriteReport } from '../core/components.js';
import { OutputError } from '../core/errors.js';
import type { LogEvent } from '../core/event.js';
import { deadLetterRefused, encodeLine, type Refusal } from './refused-events.js';
import { isBrokenPipe, writeText } from './stream-writes.js';

export const stdoutOutputConfigSchema = z
  .strictObject({
    type: z.literal('stdout'),
  })
  .describe(
    'Print one JSON document per line on standard output (logs go to stderr). Not idempotent: after a SIGKILL the ' +
      'lines acknowledged since the last checkpoint save are printed again (docs/GUARANTEES.md).',
  );

export type StdoutOutputConfig = z.infer<typeof stdoutOutputConfigSchema>;

/**
 * NDJSON on stdout; a write settles once the stream has taken the bytes. An event JSON cannot
 * encode is a record-level failure: it goes to the dead-letter (ERR_OUTPUT_ENCODE) and the rest
 * of the batch is printed. A failed write (its reader closed the pipe) is a pipeline-level fault,
 * ERR_OUTPUT_STDOUT: nothing of that batch is acknowledged. `sluice run` drains the worker when
 * stdout breaks (run-command.ts).
 */
export class StdoutOutput implements Output {
  readonly type = 'stdout';
  readonly idempotent = false;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly stream: NodeJS.WritableStream = process.stdout,
  ) {}

  async start(): Promise<void> {}

  async write(events: LogEvent[]): Promise<WriteReport> {
    if (events.length === 0) return { stored: 0, duplicates: 0, deadLettered: 0 };
    const refused: Refusal[] = [];
    let text = '';
    for (const event of events) {
      const line = encodeLine(event);
      if (typeof line === 'string') text += `${line}\n`;
      else refused.push(line);
    }
    // Refused events first: a dead-letter that fails leaves nothing printed, so the retry prints each line once.
    await deadLetterRefused(this.ctx, this.type, refused);
    try {
      if (text !== '') await writeText(this.stream, text);
    } catch (cause) {
      throw new OutputError(
        'ERR_OUTPUT_STDOUT',
        `cannot write to standard output: ${cause instanceof Error ? cause.message : String(cause)}`,
        { pipeline: this.ctx.pipeline, output: this.type },
        isBrokenPipe(cause)
          ? 'The reader of standard output went away (a pipe to head, a closed log collector); nothing of this batch is acknowledged.'
          : 'Check what standard output is connected to.',
        cause,
      );
    }
    const stored = events.length - refused.length;
    this.ctx.metrics.eventsIndexed.inc({ pipeline: this.ctx.pipeline, output: this.type }, stored);
    return { stored, duplicates: 0, deadLettered: refused.length };
  }

  async close(): Promise<void> {}
}
