/**
 * Read-only files that the main thread and a pipeline's worker threads all read (GeoIP
 * databases): each is read once into a SharedArrayBuffer, and a worker thread is handed the
 * buffers the main thread read (`sharedFiles` into its `workerData`, `adoptSharedFiles` there),
 * so the process holds one copy of a database however many threads look addresses up in it.
 * A file is read again when its size or modification time changed (a config reload after the
 * database was updated sees the new one); the buffer of the old version lives on only while a
 * reader still holds it.
 */
import { readFile, stat } from 'node:fs/promises';

interface SharedFile {
  /** Size and mtime when read: the version of the file the bytes are. */
  version: string;
  bytes: SharedArrayBuffer;
}

const files = new Map<string, SharedFile>();

/** The file's bytes, shared with every thread that adopted them; read from disk only when new or changed. */
export async function readSharedFile(path: string): Promise<Buffer> {
  const { size, mtimeMs } = await stat(path);
  const version = `${size}:${mtimeMs}`;
  let file = files.get(path);
  if (file?.version !== version) {
    const read = await readFile(path);
    const bytes = new SharedArrayBuffer(read.length);
    new Uint8Array(bytes).set(read);
    file = { version, bytes };
    files.set(path, file);
  }
  return Buffer.from(file.bytes);
}

/** What this thread read so far, for a worker thread's `workerData` (SharedArrayBuffers are shared, not copied). */
export function sharedFiles(): Map<string, SharedFile> {
  return new Map(files);
}

/** In a worker thread: the main thread's files, read by `readSharedFile` from here on without another copy. */
export function adoptSharedFiles(given: ReadonlyMap<string, SharedFile>): void {
  for (const [path, file] of given) files.set(path, file);
}
