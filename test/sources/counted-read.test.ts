import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { countedRead } from '../../src/sources/counted-read.js';
import { componentContext } from '../helpers/component-context.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function bytesReadOf(context: ReturnType<typeof componentContext>): Promise<number> {
  const metric = await context.metrics.bytesRead.get();
  return metric.values.find((value) => value.labels.pipeline === context.pipeline)?.value ?? 0;
}

const readError = (error: Error) => new Error(`read failed: ${error.message}`);

describe('countedRead', () => {
  it('passes the bytes through and counts them when the body is read to its end', async () => {
    const context = componentContext({ pipeline: 'p' });
    const body = Readable.from([Buffer.from('abc'), Buffer.from('defgh')]);
    const read = countedRead(body, context, undefined, readError);
    expect((await readAll(read)).toString()).toBe('abcdefgh');
    expect(await bytesReadOf(context)).toBe(8);
  });

  it('fails with the mapped read error when the body fails', async () => {
    const body = new PassThrough();
    const read = countedRead(body, componentContext(), undefined, readError);
    body.write('ab');
    body.destroy(new Error('connection reset'));
    await expect(readAll(read)).rejects.toThrow('read failed: connection reset');
  });

  it('fails with the stop reason when the body fails after the signal is aborted', async () => {
    const stop = new AbortController();
    const body = new PassThrough();
    const read = countedRead(body, componentContext(), stop.signal, readError);
    stop.abort(new Error('SIGTERM'));
    body.destroy(new Error('aborted'));
    await expect(readAll(read)).rejects.toThrow('SIGTERM');
  });

  it('destroys the body when the reader closes the returned stream early', async () => {
    const body = new PassThrough();
    const read = countedRead(body, componentContext(), undefined, readError);
    body.write('abc');
    read.destroy();
    await new Promise((resolve) => read.once('close', resolve));
    expect(body.destroyed).toBe(true);
  });
});
