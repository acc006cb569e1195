import { resolve } from 'node:path';
import { z } from 'zod';
import type { ComponentContext, DeadLetter, DeadLetterEntry } from '../../core/components.js';
import { OutputError } from '../../core/errors.js';
import { NdjsonAppender } from '../ndjson-appender.js';

export const fileDeadLetterConfigSchema = z
  .strictObject({
    type: z.literal('file'),
    path: z.string().min(1).describe('NDJSON file the entries are appended to (fsynced), relative to the config file.'),
  })
  .describe('Dead-letter entries appended to a local NDJSON file.');

export type FileDeadLetterConfig = z.infer<typeof fileDeadLetterConfigSchema>;

export class FileDeadLetter implements DeadLetter {
  private readonly path: string;
  private readonly appender = new NdjsonAppender(1);

  constructor(
    config: FileDeadLetterConfig,
    private readonly ctx: ComponentContext,
  ) {
    this.path = resolve(ctx.baseDir, config.path);
  }

  async put(entries: DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    try {
      await this.appender.append(new Map([[this.path, text]]));
    } catch (cause) {
      throw new OutputError(
        'ERR_DEAD_LETTER_WRITE',
        `cannot append dead-letter entries to ${this.path}`,
        { pipeline: this.ctx.pipeline },
        'Check that the dead-letter path is writable and the disk is not full.',
        cause,
      );
    }
  }

  close(): Promise<void> {
    return this.appender.close();
  }
}
