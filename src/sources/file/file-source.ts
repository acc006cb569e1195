import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import type { ComponentContext, ListWindow, Source } from '../../core/components.js';
import { type ErrorContext, type GoneVersion, SourceReadError } from '../../core/errors.js';
import type { SourceObject } from '../../core/event.js';
import { inWindow } from '../in-window.js';
import type { FileSourceConfig } from './file-source-config.js';
import { globToRegex } from './glob-to-regex.js';

/**
 * A failed read of the directory or a file. A file that is gone (deleted, or changed since it was
 * listed) cannot be read by retrying; the runner skips that version. Anything else may pass.
 */
function fileReadError(message: string, context: ErrorContext, cause?: unknown, gone?: GoneVersion): SourceReadError {
  return new SourceReadError('ERR_FILE_READ', message, {
    retryable: gone === undefined,
    ...(gone ? { gone } : {}),
    context,
    cause,
    hint: 'Check that the directory exists and that the worker may read it.',
  });
}

/** A file's version: a file rewritten in place gets a new one, so it is read again. */
function fileEtag(info: { size: number; mtimeMs: number }): string {
  return `${info.size}-${Math.trunc(info.mtimeMs)}`;
}

function openFailure(path: string, error: unknown, context: ErrorContext): SourceReadError {
  const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return fileReadError(
    `cannot open ${path}: ${(error as Error).message}`,
    context,
    error,
    missing ? 'deleted' : undefined,
  );
}

/** A file rewritten since it was listed is another version: the next poll lists it again. */
function checkVersion(
  path: string,
  info: { size: number; mtimeMs: number },
  object: SourceObject,
  context: ErrorContext,
): void {
  if (fileEtag(info) !== object.etag) {
    throw fileReadError(
      `${path} changed since it was listed; the next poll lists it again`,
      context,
      undefined,
      'rewritten',
    );
  }
}

/** Reads files under a local directory: for local runs and the demo. */
export class FileSource implements Source {
  readonly type = 'file';
  readonly location: string;
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  private readonly startTime: Date | null;

  constructor(
    config: FileSourceConfig,
    private readonly context: ComponentContext,
  ) {
    this.location = isAbsolute(config.path) ? config.path : resolve(context.baseDir, config.path);
    this.include = config.include.map(globToRegex);
    this.exclude = config.exclude.map(globToRegex);
    this.startTime = config.start_time ? new Date(config.start_time) : null;
  }

  async *list(window: ListWindow, signal?: AbortSignal): AsyncIterable<SourceObject> {
    let since = window.since;
    if (this.startTime && (!since || since < this.startTime)) since = this.startTime;
    let entries: string[];
    try {
      entries = await readdir(this.location, { recursive: true });
    } catch (error) {
      throw fileReadError(
        `cannot list ${this.location}: ${(error as Error).message}`,
        {
          pipeline: this.context.pipeline,
          bucket: this.location,
        },
        error,
      );
    }
    for (const entry of entries.sort()) {
      signal?.throwIfAborted();
      const key = sep === '/' ? entry : entry.split(sep).join('/');
      if (!this.include.some((r) => r.test(key)) || this.exclude.some((r) => r.test(key))) continue;
      const info = await stat(join(this.location, entry)).catch(() => null);
      // Gone since readdir, or not a regular file.
      if (!info?.isFile()) continue;
      const lastModified = info.mtime;
      if (!inWindow(key, lastModified, { ...window, since })) continue;
      if (info.size === 0) {
        this.context.metrics.objectsSkipped.inc({ pipeline: this.context.pipeline, reason: 'empty' });
        continue;
      }
      yield {
        bucket: this.location,
        key,
        etag: fileEtag(info),
        size: info.size,
        lastModified,
      };
    }
  }

  async stat(key: string): Promise<SourceObject | null> {
    const info = await stat(join(this.location, ...key.split('/'))).catch(() => null);
    if (!info?.isFile()) return null;
    return { bucket: this.location, key, etag: fileEtag(info), size: info.size, lastModified: info.mtime };
  }

  async readRange(object: SourceObject, start: number, end: number): Promise<Buffer> {
    const path = join(object.bucket, ...object.key.split('/'));
    const context = { pipeline: this.context.pipeline, bucket: object.bucket, key: object.key };
    const handle = await open(path, 'r').catch((error: unknown) => {
      throw openFailure(path, error, context);
    });
    try {
      // The version read is the listed one: the handle's own stat, not the path's, after opening.
      checkVersion(path, await handle.stat(), object, context);
      const bytes = Buffer.alloc(Math.max(0, end - start));
      let filled = 0;
      while (filled < bytes.length) {
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      this.context.metrics.bytesRead.inc({ pipeline: this.context.pipeline }, filled);
      return bytes.subarray(0, filled);
    } catch (error) {
      if (error instanceof SourceReadError) throw error;
      throw fileReadError(`cannot read ${path}: ${(error as Error).message}`, context, error);
    } finally {
      await handle.close();
    }
  }

  async open(object: SourceObject, signal?: AbortSignal): Promise<Readable> {
    const path = join(object.bucket, ...object.key.split('/'));
    const context = { pipeline: this.context.pipeline, bucket: object.bucket, key: object.key };
    const info = await stat(path).catch((error: unknown) => {
      throw openFailure(path, error, context);
    });
    checkVersion(path, info, object, context);
    const labels = { pipeline: this.context.pipeline };
    const metrics = this.context.metrics;
    const stream = createReadStream(path, { signal });
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        metrics.bytesRead.inc(labels, chunk.length);
        callback(null, chunk);
      },
    });
    stream.on('error', (error) => counter.destroy(error));
    counter.on('close', () => {
      if (!stream.destroyed) stream.destroy();
    });
    return stream.pipe(counter);
  }
}
