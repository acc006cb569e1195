// Awaited writes to a stream and the failure of a closed reader: for the stdout output and
// `sluice parse`, kept apart from the output's schema so that parse does not load zod to print.

/**
 * Writes `text` and resolves once the stream has handed it on (to the kernel, for a pipe), so
 * a slow reader holds back the writer instead of growing memory: a caller that awaits each
 * write never has more than one chunk buffered. Rejects when the stream fails (EPIPE once the
 * reader is gone) or was already destroyed.
 */
export function writeText(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

/** True for the failure of a write whose reader went away (`sluice … | head`). */
export function isBrokenPipe(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
