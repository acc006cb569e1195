import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adoptSharedFiles, readSharedFile, sharedFiles } from '../../src/core/shared-files.js';

describe('shared files', () => {
  it('reads a file once into shared memory and hands every reader the same bytes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-shared-')), 'db.mmdb');
    writeFileSync(path, 'first version');
    const a = await readSharedFile(path);
    const b = await readSharedFile(path);
    expect(a.toString()).toBe('first version');
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(b.buffer).toBe(a.buffer);
    // What a worker thread is handed is that buffer, not a copy.
    expect(sharedFiles().get(path)?.bytes).toBe(a.buffer);
  });

  it('reads the file again once it changed on disk (a database updated before a config reload)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-shared-')), 'db.mmdb');
    writeFileSync(path, 'old');
    const old = await readSharedFile(path);
    writeFileSync(path, 'newer');
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    const updated = await readSharedFile(path);
    expect(updated.toString()).toBe('newer');
    expect(updated.buffer).not.toBe(old.buffer);
    expect(old.toString()).toBe('old');
  });

  it('takes the files another thread read, without reading them', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-shared-')), 'db.mmdb');
    writeFileSync(path, 'on disk');
    await readSharedFile(path);
    const given = sharedFiles();
    const entry = given.get(path)!;
    const bytes = new SharedArrayBuffer(7);
    new Uint8Array(bytes).set(Buffer.from('handed '));
    adoptSharedFiles(new Map([[path, { version: entry.version, bytes }]]));
    expect((await readSharedFile(path)).toString()).toBe('handed ');
  });
});
