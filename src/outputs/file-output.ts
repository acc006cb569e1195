import { z } from 'zod';
import type { ComponentContext, Output, WriteReport } from '../core/components.js';
import { errorMessage, invalidSetting, OutputError } from '../core/errors.js';
import type { LogEvent } from '../core/event.js';
import { classifyOpenFault, folderProblem, type OutputFolder } from './file-failure.js';
import { checkFilePathPattern, compileFilePath, type FileTarget, fixedDirectory } from './file-path.js';
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
 * NDJSON files; a write settles after its lines are fsynced. Every path of a batch is opened
 * first, then the events this output will not write go to the dead-letter, and only then are
 * lines appended: a dead-letter or a folder that fails leaves nothing of the batch written, so
 * its retry writes each line once. A path refused by file-path.ts, or failing to open because of
 * what the record's values made of it (file-failure.ts), is record level: its events go to the
 * dead-letter with ERR_OUTPUT_FILE and the rest goes on. A folder the worker cannot write
 * (permission, read-only, a file in the way) or a disk that is full rejects the write with
 * ERR_OUTPUT_FILE_WRITE, a pipeline-level fault: nothing of it is acknowledged.
 */
export class FileOutput implements Output {
  readonly type = 'file';
  readonly idempotent = false;
  private readonly target: (event: LogEvent) => FileTarget;
  private readonly folder: OutputFolder;
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
    this.folder = { directory: fixedDirectory(config.path, ctx.baseDir), insertsValues: config.path.includes('%{') };
    this.labels = { pipeline: ctx.pipeline, output: this.type };
  }

  /** For `validate` and the start of `run`: an output folder that cannot be written or made is a config problem (exit 78). */
  async prepare(): Promise<void> {
    const problem = await folderProblem(this.folder.directory);
    if (problem !== undefined) throw invalidSetting('path', problem);
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
    for (const [path, error] of await this.appender.openEach(files.keys())) {
      const fault = await classifyOpenFault(this.ctx.pipeline, path, this.folder, error);
      if (fault.level === 'pipeline') throw fault.error;
      for (const event of files.get(path)!.events)
        refused.push({ event, code: 'ERR_OUTPUT_FILE', reason: fault.reason });
      files.delete(path);
    }
    await deadLetterRefused(this.ctx, this.type, refused);
    const texts = new Map<string, string>();
    for (const [path, file] of files) texts.set(path, `${file.lines.join('\n')}\n`);
    try {
      await this.appender.append(texts);
    } catch (cause) {
      throw new OutputError(
        'ERR_OUTPUT_FILE_WRITE',
        `cannot append to ${namePaths([...texts.keys()])}`,
        { pipeline: this.ctx.pipeline, output: this.type },
        'Check that the disk is not full and the file system is writable; nothing of this batch is acknowledged, it is written again.',
        cause,
      );
    }
    const stored = events.length - refused.length;
    this.ctx.metrics.eventsIndexed.inc(this.labels, stored);
    return { stored, duplicates: 0, deadLettered: refused.length };
  }

  close(): Promise<void> {
    return this.appender.close();
  }
}
