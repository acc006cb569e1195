import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logFields, SluiceError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';

/** The lines a logger writes, as text (JSON.parse would hide a key written twice). */
function capture(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  return { lines, destination };
}

const count = (line: string, key: string) => line.split(`"${key}":`).length - 1;

describe('createLogger', () => {
  it.each([
    { fields: { pipeline: 'p', key: 'k' }, once: ['pipeline', 'bucket', 'key'], other: {} },
    { fields: { bucket: 'b', key: 'k', attempt: 2 }, once: ['pipeline', 'bucket', 'key', 'attempt'], other: {} },
    { fields: { bucket: 'elsewhere' }, once: ['pipeline', 'bucket'], other: { other_bucket: 'elsewhere' } },
  ])('writes each key once when a child already carries it: $fields', ({ fields, once, other }) => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', destination }).child({ pipeline: 'p' }).child({ bucket: 'b' });
    log.warn(fields, 'object failed; retrying');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const key of once) expect(count(line, key), `${key} in ${line}`).toBe(1);
    expect(JSON.parse(line)).toMatchObject({ pipeline: 'p', bucket: 'b', msg: 'object failed; retrying', ...other });
  });

  it("keeps an error's context once under a child that names the same object, and still redacts", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', destination }).child({ pipeline: 'p', bucket: 'b', key: 'k' });
    const error = new SluiceError('ERR_DECOMPRESS', 'bad gzip', { context: { pipeline: 'p', bucket: 'b', key: 'k' } });
    log.warn({ ...logFields(error), password: 'hunter2' }, 'object failed; retrying');
    const line = lines[0]!;
    for (const key of ['pipeline', 'bucket', 'key', 'code']) expect(count(line, key), `${key} in ${line}`).toBe(1);
    expect(line).not.toContain('hunter2');
  });
});
