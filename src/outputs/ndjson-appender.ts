import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Appends NDJSON to files and fsyncs them before a call resolves, so an acknowledgement
 * means the lines survive a crash. Calls are serialized: lines of two writes never interleave.
 */
export class NdjsonAppender {
  private readonly handles = new Map<string, FileHandle>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly maxOpenFiles = 16) {}

  /** Appends each file's text and fsyncs every touched file. */
  append(chunks: Map<string, string>): Promise<void> {
    const run = this.tail.then(() => this.appendNow(chunks));
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
    const touched: FileHandle[] = [];
    for (const [path, text] of chunks) {
      const handle = await this.handle(path);
      await handle.appendFile(text, 'utf8');
      touched.push(handle);
    }
    await Promise.all(touched.map((h) => h.sync()));
  }

  private async handle(path: string): Promise<FileHandle> {
    let handle = this.handles.get(path);
    if (handle) {
      // Most recently used last, so the oldest is closed first when too many are open (daily files roll over).
      this.handles.delete(path);
      this.handles.set(path, handle);
      return handle;
    }
    await mkdir(dirname(path), { recursive: true });
    handle = await open(path, 'a');
    this.handles.set(path, handle);
    if (this.handles.size > this.maxOpenFiles) {
      const [oldestPath, oldest] = this.handles.entries().next().value as [string, FileHandle];
      this.handles.delete(oldestPath);
      await oldest.close();
    }
    return handle;
  }
}
