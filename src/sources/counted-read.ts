import { type Readable, Transform } from 'node:stream';
import type { ComponentContext } from '../core/components.js';

/**
 * An object's body as the record loop reads it, its bytes counted in `bytesRead` as they pass.
 * A read error of the body fails the returned stream with `toReadError(error)` (with the stop's
 * reason instead once `signal` is aborted); closing the returned stream destroys the body.
 */
export function countedRead(
  body: Readable,
  context: Pick<ComponentContext, 'pipeline' | 'metrics'>,
  signal: AbortSignal | undefined,
  toReadError: (error: Error) => Error,
): Readable {
  const labels = { pipeline: context.pipeline };
  const metrics = context.metrics;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      metrics.bytesRead.inc(labels, chunk.length);
      callback(null, chunk);
    },
  });
  body.on('error', (error) => counter.destroy(signal?.aborted ? signal.reason : toReadError(error)));
  counter.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  return body.pipe(counter);
}
