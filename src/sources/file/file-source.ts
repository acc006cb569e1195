import { constants } from 'node:fs';
import { type FileHandle, lstat, open as openFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ComponentContext, ListWindow, Source } from '../../core/components.js';
import { type ErrorContext, type GoneVersion, SourceReadError } from '../../core/errors.js';
import type { SourceObject } from '../../core/event.js';
import { countedRead } from '../counted-read.js';
import { inWindow } from '../in-window.js';
import type { FileSourceConfig } from './file-source-config.js';
import { isInside, type SkipReason, type WalkEntry, WalkError, walkFolder } from './file-walk.js';
import { globToRegex } from './glob-to-regex.js';

/** Errors that say the worker may not read: a permission to grant, not a file to give up on. */
const DENIED = new Set(['EACCES', 'EPERM']);

/**
 * A failed read of the folder or a file: a permission the worker lacks pauses the pipeline
 * (ERR_FILE_ACCESS_DENIED); a file that is gone (deleted, or changed since it was listed)
 * cannot be read by retrying and the runner skips that version; anything else may pass.
 */
export function fileReadError(
  message: string,
  context: ErrorContext,
  cause?: unknown,
  gone?: GoneVersion,
): SourceReadError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && DENIED.has(code)) {
    return new SourceReadError('ERR_FILE_ACCESS_DENIED', message, {
      retryable: false,
      context: { ...context, errno: code },
      cause,
      hint: 'Let the user sluice runs as read the folder and its files (and enter its subfolders); the pipeline retries by itself.',
    });
  }
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
function rewritten(path: string, context: ErrorContext): SourceReadError {
  return fileReadError(
    `${path} changed since it was listed; the next poll lists it again`,
    context,
    undefined,
    'rewritten',
  );
}

/** A listed path the source will not read, and why; open() reports it (quarantine). */
interface Refusal {
  reason: SkipReason;
  message: string;
}

/**
 * Reads files under a local directory: for local runs and the demo. It stays inside its folder:
 * symbolic links are never followed (one to a file inside is skipped, since that file is read
 * under its own name; one that leads elsewhere is reported), and every listed path is read or
 * reported: a name that is not UTF-8, a link out of the folder, a FIFO or device is quarantined
 * with its reason (and counted in sluice_objects_skipped_total) instead of vanishing.
 */
export class FileSource implements Source {
  readonly type = 'file';
  readonly location: string;
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  /** Listed paths that are reported instead of read, by key. */
  private readonly refused = new Map<string, Refusal>();
  /** Skips already counted (key and mtime → mtime), so each is counted and logged once. */
  private readonly skipped = new Map<string, number>();

  constructor(
    config: FileSourceConfig,
    private readonly context: ComponentContext,
  ) {
    this.location = isAbsolute(config.path) ? config.path : resolve(context.baseDir, config.path);
    this.include = config.include.map(globToRegex);
    this.exclude = config.exclude.map(globToRegex);
  }

  async *list(window: ListWindow, signal?: AbortSignal): AsyncIterable<SourceObject> {
    // start_time is the runner's: it already bounds `since` of a live window (never a backfill's).
    const since = window.since;
    const root = await this.root();
    if (since) for (const [id, at] of this.skipped) if (at < since.getTime()) this.skipped.delete(id);
    try {
      for await (const entry of walkFolder(root)) {
        signal?.throwIfAborted();
        const object = this.accept(entry, { ...window, since });
        if (object) yield object;
      }
    } catch (error) {
      if (!(error instanceof WalkError)) throw error;
      throw fileReadError(error.message, { pipeline: this.context.pipeline, bucket: this.location }, error.error);
    }
  }

  /** The folder's real path (the configured folder may itself be a link): everything read is inside it. */
  private async root(): Promise<string> {
    try {
      return await realpath(this.location);
    } catch (error) {
      const message = `cannot list ${this.location}: ${(error as Error).message}`;
      throw fileReadError(message, { pipeline: this.context.pipeline, bucket: this.location }, error);
    }
  }

  /**
   * Whether include and exclude pick the entry. A link to a folder stands for the files under
   * it, which include patterns match and its own name does not (a link `archive` and
   * include `*.log` under any folder): only an exclude of the link or of what is under it (`archive/**`) leaves it out.
   */
  private picked(entry: WalkEntry): boolean {
    const { key } = entry;
    if (entry.kind !== 'file' && entry.folderLink) return !this.exclude.some((r) => r.test(key) || r.test(`${key}/`));
    return this.include.some((r) => r.test(key)) && !this.exclude.some((r) => r.test(key));
  }

  private accept(entry: WalkEntry, window: ListWindow): SourceObject | null {
    const { key, info } = entry;
    if (!this.picked(entry)) return null;
    const lastModified = info.mtime;
    if (!inWindow(key, lastModified, window)) return null;
    const labels = { pipeline: this.context.pipeline };
    if (entry.kind === 'skip') {
      const id = `${key}\0${info.mtimeMs}`;
      if (!this.skipped.has(id)) {
        this.skipped.set(id, info.mtimeMs);
        this.context.metrics.objectsSkipped.inc({ ...labels, reason: entry.reason });
        // The component's logger already names the pipeline.
        this.context.logger.info({ bucket: this.location, key }, `not read: ${entry.message}`);
      }
      return null;
    }
    if (entry.kind === 'refuse') {
      this.refused.set(key, { reason: entry.reason, message: entry.message });
      // At least one byte, so the runner opens it (and open() reports it) instead of skipping it as empty.
      return { bucket: this.location, key, etag: fileEtag(info), size: Math.max(1, info.size), lastModified };
    }
    if (info.size === 0) {
      this.context.metrics.objectsSkipped.inc({ ...labels, reason: 'empty' });
      return null;
    }
    return { bucket: this.location, key, etag: fileEtag(info), size: info.size, lastModified };
  }

  async stat(key: string): Promise<SourceObject | null> {
    const path = join(this.location, ...key.split('/'));
    const info = await lstat(path).catch(() => null);
    // Only a regular file inside the folder: a key that leads through a link elsewhere is not there.
    if (!info?.isFile() || !(await this.leadsInside(path))) return null;
    return { bucket: this.location, key, etag: fileEtag(info), size: info.size, lastModified: info.mtime };
  }

  async open(object: SourceObject, signal?: AbortSignal): Promise<Readable> {
    const { path, context, handle } = await this.openListed(object);
    return countedRead(handle.createReadStream({ signal }), this.context, signal, (error) =>
      fileReadError(`cannot read ${path}: ${error.message}`, context, error),
    );
  }

  /** Bytes [start, end) of the listed version, for formats read by ranges (Parquet). */
  async readRange(object: SourceObject, start: number, end: number): Promise<Buffer> {
    const { path, context, handle } = await this.openListed(object);
    try {
      // The version read is the listed one: the handle's own stat, not the path's, after opening.
      if (fileEtag(await handle.stat()) !== object.etag) throw rewritten(path, context);
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

  /** Opens the listed version of a file, never following a link and never leaving the folder. */
  private async openListed(object: SourceObject): Promise<{ path: string; context: ErrorContext; handle: FileHandle }> {
    const path = join(object.bucket, ...object.key.split('/'));
    const context = { pipeline: this.context.pipeline, bucket: object.bucket, key: object.key };
    const refusal = this.refused.get(object.key);
    if (refusal) throw this.refuse(refusal, context);
    const info = await lstat(path).catch((error: unknown) => {
      throw openFailure(path, error, context);
    });
    if (!info.isFile() || fileEtag(info) !== object.etag) throw rewritten(path, context);
    // A folder on the way swapped for a link since the listing: still never read outside the folder.
    const inside = await this.leadsInside(path);
    if (inside === undefined)
      throw fileReadError(`${path} was deleted after it was listed`, context, undefined, 'deleted');
    if (!inside) {
      const message = `${path} leads outside ${this.location} through a link`;
      throw this.refuse({ reason: 'symlink_outside', message }, context);
    }
    // O_NOFOLLOW: a file swapped for a link after the checks above fails to open instead of being followed.
    const handle = await openFile(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP')
        return this.refuse({ reason: 'symlink', message: `${path} became a link` }, context);
      throw openFailure(path, error, context);
    });
    if (handle instanceof SourceReadError) throw handle;
    return { path, context, handle };
  }

  /** Whether the path, with every link on the way resolved, is inside the folder; undefined when it is gone. */
  private async leadsInside(path: string): Promise<boolean | undefined> {
    const [root, real] = await Promise.all([realpath(this.location), realpath(path)]).catch(() => [null, null]);
    if (root === null || real === null) return undefined;
    return isInside(root, real);
  }

  /** A listed path that is not read: counted, logged, and failed so the runner quarantines it (once). */
  private refuse(refusal: Refusal, context: ErrorContext): SourceReadError {
    this.context.metrics.objectsSkipped.inc({ pipeline: this.context.pipeline, reason: refusal.reason });
    // The error's context names the pipeline again; the logger writes it once (core/logger.ts).
    this.context.logger.warn({ ...context, reason: refusal.reason }, `not read: ${refusal.message}`);
    return new SourceReadError('ERR_FILE_REFUSED', `not read: ${refusal.message}`, {
      retryable: false,
      context: { ...context, reason: refusal.reason },
      hint: 'The file goes to the dead-letter as a quarantine entry; fix it (copy it into the folder, rename it) to have it read.',
    });
  }
}
