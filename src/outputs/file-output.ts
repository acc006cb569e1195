import { z } from 'zod';
import type { ComponentContext, Output, WriteReport } from '../core/components.js';
import { errorMessage, invalidSetting, OutputError } from '../core/errors.js';
import type { LogEvent } from '../core/event.js';
import { isPathFault, pathFaultReason } from './file-failure.js';
import { checkFilePathPattern, compileFilePath, type FileTarget } from './file-path.js';
import { NdjsonAppender } from './ndjson-appender.js';
import { deadLetterRefused, encodeLine, type Refusal } from './refused-events.js';

export const fileOutputConfigSchema = z
  .strictObject({
    type: z.literal('file'),
    path: z
      .string()
      .min(1)
      .superRefine(checkFilePathPattern)
      .describe(
        'File to append NDJSON to, relative to the config file; `%{+YYYY.MM.dd}` (event time, UTC) and `%{[field]}` ' +
          'are expanded per event, e.g. out/alb-%{+YYYY-MM-dd}.ndjson. An inserted field value never holds `/`, `\\`, ' +
          'control characters or a leading `.` and takes at most 100 bytes; a path must not start with a field, and one ' +
          'outside the directory before the first `%{` is refused (that event goes to the dead-letter).',
      ),
  })
  .describe(
    'Append one JSON document per line to local files; fsync before acknowledging. Not idempotent: after a SIGKILL ' +
      'the lines acknowledged since the last checkpoint save are appended again (docs/GUARANTEES.md).',
  );

export type FileOutputConfig = z.infer<typeof fileOutputConfigSchema>;

/** Paths named in an error message: a batch can touch thousands. */
const NAMED_PATHS = 3;

function namePaths(paths: string[]): string {
  const named = paths.slice(0, NAMED_PATHS).join(', ');
  return paths.length > NAMED_PATHS ? `${named} and ${paths.length - NAMED_PATHS} more` : named;
}

/**
 * NDJSON files; a write settles after its lines are fsynced. A path this output cannot write
 * (refused by file-path.ts, or failing to open for a reason of its own: file-failure.ts) is a
 * record-level failure: its events go to the dead-letter with ERR_OUTPUT_FILE, nothing is
 * written to it, and the rest of the batch goes on. A failure of the whole output (disk full,
 * I/O error) rejects the write: nothing of it is acknowledged.
 */
export class FileOutput implements Output {
  readonly type = 'file';
  readonly idempotent = false;
  private readonly target: (event: LogEvent) => FileTarget;
  private readonly appender = new NdjsonAppender();
  private readonly labels: { pipeline: string; output: string };

  constructor(
    config: FileOutputConfig,
    private readonly ctx: ComponentContext,
  ) {
    try {
      this.target = compileFilePath(config.path, ctx.baseDir);
    } catch (error) {
      throw invalidSetting('path', `path ${JSON.stringify(config.path)}: ${errorMessage(error)}`, error);
    }
    this.labels = { pipeline: ctx.pipeline, output: this.type };
  }

  async start(): Promise<void> {}

  async write(events: LogEvent[]): Promise<WriteReport> {
    const refused: Refusal[] = [];
    const files = new Map<string, { lines: string[]; events: LogEvent[] }>();
    for (const event of events) {
      const target = this.target(event);
      if ('refused' in target) {
        refused.push({ event, code: 'ERR_OUTPUT_FILE', reason: target.refused });
        continue;
      }
      const line = encodeLine(event);
      if (typeof line !== 'string') {
        refused.push(line);
        continue;
      }
      let file = files.get(target.path);
      if (!file) {
        file = { lines: [], events: [] };
        files.set(target.path, file);
      }
      file.lines.push(line);
      file.events.push(event);
    }
    const texts = new Map<string, string>();
    for (const [path, file] of files) texts.set(path, `${file.lines.join('\n')}\n`);
    let failed: Map<string, unknown>;
    try {
      failed = await this.appender.appendEach(texts, isPathFault);
    } catch (cause) {
      throw new OutputError(
        'ERR_OUTPUT_FILE_WRITE',
        `cannot append to ${namePaths([...texts.keys()])}`,
        { pipeline: this.ctx.pipeline, output: this.type },
        'Check that the disk is not full and the file system is writable; nothing of this batch is acknowledged, it is written again.',
        cause,
      );
    }
    for (const [path, error] of failed) {
      const reason = pathFaultReason(path, error);
      for (const event of files.get(path)!.events) refused.push({ event, code: 'ERR_OUTPUT_FILE', reason });
    }
    await deadLetterRefused(this.ctx, this.type, refused);
    const stored = events.length - refused.length;
    this.ctx.metrics.eventsIndexed.inc(this.labels, stored);
    return { stored, duplicates: 0, deadLettered: refused.length };
  }

  close(): Promise<void> {
    return this.appender.close();
  }
}
