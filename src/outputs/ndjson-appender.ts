import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

const NEWLINE = 0x0a;
const TAIL_CHUNK = 64 * 1024;

/**
 * Every append ends with a newline, so a file whose last line has none was cut by a crash
 * inside an append (a SIGKILL can stop a large write part way): that append was never
 * fsynced nor acknowledged, and its records are sent again. Its unfinished line is cut off,
 * so the next line starts on a line of its own instead of being glued to the fragment.
 */
async function dropTornTail(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  const lastByte = Buffer.alloc(1);
  await handle.read(lastByte, 0, 1, size - 1);
  if (lastByte[0] === NEWLINE) return;
  const buffer = Buffer.alloc(TAIL_CHUNK);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    const last = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (last !== -1) {
      await handle.truncate(start + last + 1);
      return;
    }
    end = start;
  }
  await handle.truncate(0);
}

/**
 * Appends NDJSON to files and fsyncs them before a call resolves, so an acknowledgement
 * means the lines survive a crash. Calls are serialized: lines of two writes never interleave.
 * At most `maxOpenFiles` handles stay open; a call that touches more files works through them
 * in groups of that many (write, fsync, then the next group), and never closes a handle of its
 * own group before that group's fsync.
 */
export class NdjsonAppender {
  private readonly handles = new Map<string, FileHandle>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly maxOpenFiles = 16) {}

  /** Appends each file's text and fsyncs every touched file; rejects on the first failure. */
  append(chunks: Map<string, string>): Promise<void> {
    const run = this.tail.then(() => this.appendNow(chunks));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Opens (creating them and their folders) the files of `paths` that are not open yet, before
   * anything is written, so a caller learns which paths fail while it can still act on them with
   * nothing written. Returns each path that could not be opened with its error.
   */
  openEach(paths: Iterable<string>): Promise<Map<string, unknown>> {
    const run = this.tail.then(async () => {
      const failed = new Map<string, unknown>();
      for (const path of paths) {
        if (this.handles.has(path)) continue;
        await this.handle(path, new Set([path])).catch((error: unknown) => failed.set(path, error));
      }
      return failed;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.close()));
  }

  private async appendNow(chunks: Map<string, string>): Promise<void> {
    const paths = [...chunks.keys()];
    for (let start = 0; start < paths.length; start += this.maxOpenFiles) {
      const group = new Set(paths.slice(start, start + this.maxOpenFiles));
      const touched: FileHandle[] = [];
      for (const path of group) {
        const handle = await this.handle(path, group);
        await handle.appendFile(chunks.get(path)!, 'utf8');
        touched.push(handle);
      }
      await Promise.all(touched.map((h) => h.sync()));
    }
  }

  /** An open handle for `path`, closing the least recently used one outside `keep` when too many are open. */
  private async handle(path: string, keep: ReadonlySet<string>): Promise<FileHandle> {
    let handle = this.handles.get(path);
    if (handle) {
      // Most recently used last, so the oldest is closed first when too many are open (daily files roll over).
      this.handles.delete(path);
      this.handles.set(path, handle);
      return handle;
    }
    if (this.handles.size >= this.maxOpenFiles) await this.closeOldest(keep);
    await mkdir(dirname(path), { recursive: true });
    handle = await open(path, 'a+');
    try {
      await dropTornTail(handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.handles.set(path, handle);
    return handle;
  }

  private async closeOldest(keep: ReadonlySet<string>): Promise<void> {
    for (const [path, handle] of this.handles) {
      if (keep.has(path)) continue;
      this.handles.delete(path);
      await handle.close();
      return;
    }
  }
}
