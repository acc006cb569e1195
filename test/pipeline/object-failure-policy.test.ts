import { describe, expect, it } from 'vitest';
import { DecompressError, OutputError, type SourceErrorCode, SourceReadError } from '../../src/core/errors.js';
import { DeadLetterCapError } from '../../src/pipeline/dead-letter-cap.js';
import {
  decideObjectFailure,
  pipelinePauseBackoff,
  quarantineEntry,
} from '../../src/pipeline/object-failure-policy.js';

const read = (code: SourceErrorCode, retryable: boolean, gone?: 'deleted' | 'rewritten') =>
  new SourceReadError(code, `read failed (${gone ?? (retryable ? 'transient' : 'denied')})`, {
    retryable,
    ...(gone ? { gone } : {}),
  });

/** Every kind of failure an object can end with, and how the policy must treat it. */
const kinds = [
  { kind: 'an S3 object deleted since listing', error: read('ERR_S3_READ', false, 'deleted'), treat: 'deleted' },
  { kind: 'an S3 object rewritten since listing', error: read('ERR_S3_READ', false, 'rewritten'), treat: 'rewritten' },
  { kind: 'a file deleted since listing', error: read('ERR_FILE_READ', false, 'deleted'), treat: 'deleted' },
  { kind: 'a file changed since listing', error: read('ERR_FILE_READ', false, 'rewritten'), treat: 'rewritten' },
  { kind: 'a transient S3 read failure', error: read('ERR_S3_READ', true), treat: 'object' },
  { kind: 'a transient file read failure', error: read('ERR_FILE_READ', true), treat: 'object' },
  { kind: 'a corrupt gzip', error: new DecompressError('unexpected end of file'), treat: 'object' },
  { kind: 'an archived S3 object (403 InvalidObjectState)', error: read('ERR_S3_READ', false), treat: 'final' },
  { kind: 'a file the source refuses to read', error: read('ERR_FILE_REFUSED', false), treat: 'final' },
  {
    kind: 'an object past its dead-letter cap',
    error: new DeadLetterCapError('too many bad records', {}),
    treat: 'cap',
  },
  { kind: 'an S3 read that is denied', error: read('ERR_S3_ACCESS_DENIED', false), treat: 'pipeline' },
  { kind: 'refused S3 credentials', error: read('ERR_S3_CREDENTIALS', false), treat: 'pipeline' },
  { kind: 'a file the worker may not read', error: read('ERR_FILE_ACCESS_DENIED', false), treat: 'pipeline' },
  { kind: 'an unreachable output', error: new OutputError('ERR_OUTPUT_UNREACHABLE', 'down'), treat: 'pipeline' },
  { kind: 'an output denied access', error: new OutputError('ERR_OUTPUT_FORBIDDEN', '403'), treat: 'pipeline' },
  { kind: 'an output that keeps failing', error: new OutputError('ERR_OUTPUT_UNAVAILABLE', '503'), treat: 'pipeline' },
  {
    kind: 'a dead-letter that cannot store',
    error: new OutputError('ERR_DEAD_LETTER_WRITE', 'full'),
    treat: 'pipeline',
  },
  { kind: 'a file output that cannot append', error: new OutputError('ERR_OUTPUT_FILE', 'EACCES'), treat: 'pipeline' },
  { kind: 'an unexpected error', error: new TypeError('x is undefined'), treat: 'pipeline' },
] as const;

const objectRetry = (attempt: number) => ({ attempt, baseMs: 500, capMs: 10_000 });
const counts = (object: number, pipeline: number) => ({ object, pipeline });

/**
 * With max_object_attempts 3: the decision after earlier failures of the same object, `object`
 * of its own and `pipeline` that were not its fault.
 */
const expected = {
  deleted: [
    [counts(0, 0), { action: 'skip_version', gone: 'deleted', reason: 'deleted before it was read' }],
    [counts(2, 0), { action: 'skip_version', gone: 'deleted', reason: 'deleted before it was read' }],
    [counts(1, 9), { action: 'skip_version', gone: 'deleted', reason: 'deleted before it was read' }],
  ],
  rewritten: [
    [counts(0, 0), { action: 'skip_version', gone: 'rewritten', reason: 'rewritten before it was read' }],
    [counts(2, 0), { action: 'skip_version', gone: 'rewritten', reason: 'rewritten before it was read' }],
    [counts(1, 9), { action: 'skip_version', gone: 'rewritten', reason: 'rewritten before it was read' }],
  ],
  object: [
    [counts(0, 0), { action: 'retry', counts: counts(1, 0), backoff: objectRetry(1) }],
    [counts(1, 0), { action: 'retry', counts: counts(2, 0), backoff: objectRetry(2) }],
    [counts(2, 0), { action: 'quarantine', counts: counts(3, 0) }],
    [counts(9, 0), { action: 'quarantine', counts: counts(10, 0) }],
    // Output failures before do not bring quarantine closer.
    [counts(0, 5), { action: 'retry', counts: counts(1, 5), backoff: objectRetry(1) }],
    [counts(1, 5), { action: 'retry', counts: counts(2, 5), backoff: objectRetry(2) }],
    [counts(2, 5), { action: 'quarantine', counts: counts(3, 5) }],
  ],
  // Retrying cannot mend it: quarantined on the first attempt, whatever max_object_attempts says.
  final: [
    [counts(0, 0), { action: 'quarantine', counts: counts(1, 0) }],
    [counts(0, 7), { action: 'quarantine', counts: counts(1, 7) }],
  ],
  // Another attempt would dead-letter the same records again: quarantined on the first.
  cap: [
    [counts(0, 0), { action: 'quarantine', counts: counts(1, 0), reason: 'too many bad records' }],
    [counts(0, 5), { action: 'quarantine', counts: counts(1, 5), reason: 'too many bad records' }],
    [counts(1, 0), { action: 'quarantine', counts: counts(2, 0), reason: 'too many bad records' }],
  ],
  // Never the object's fault: however often, it is never quarantined and its own count stays.
  pipeline: [
    [counts(0, 0), { action: 'pause_pipeline', counts: counts(0, 1) }],
    [counts(0, 1), { action: 'pause_pipeline', counts: counts(0, 2) }],
    [counts(2, 2), { action: 'pause_pipeline', counts: counts(2, 3) }],
    [counts(2, 99), { action: 'pause_pipeline', counts: counts(2, 100) }],
  ],
} as const;

const rows = kinds.flatMap(({ kind, error, treat }) =>
  expected[treat].map(([previous, want]) => ({ kind, error, previous, want })),
);

describe('decideObjectFailure', () => {
  it.each(rows)(
    'decides $want.action when $kind follows $previous.object own and $previous.pipeline pipeline failures',
    ({ error, previous, want }) => {
      expect(decideObjectFailure(error, previous, 3)).toMatchObject(want);
    },
  );

  it('gives the quarantine reason with the message and the number of attempts when the last attempt fails', () => {
    expect(decideObjectFailure(new DecompressError('incorrect header check'), counts(2, 4), 3)).toEqual({
      action: 'quarantine',
      counts: counts(3, 4),
      reason: 'incorrect header check (after 3 attempts)',
    });
  });

  it('quarantines on the first own failure when max_object_attempts is 1', () => {
    expect(decideObjectFailure(read('ERR_S3_READ', true), counts(0, 0), 1)).toMatchObject({ action: 'quarantine' });
    expect(decideObjectFailure(new OutputError('ERR_OUTPUT_TLS', 'bad ca'), counts(0, 0), 1)).toMatchObject({
      action: 'pause_pipeline',
    });
  });

  it('says why a refused file is quarantined at once when no retry can help', () => {
    expect(decideObjectFailure(read('ERR_FILE_REFUSED', false), counts(0, 0), 3)).toEqual({
      action: 'quarantine',
      counts: counts(1, 0),
      reason: 'read failed (denied) (not retried: retrying cannot help)',
    });
  });
});

describe('pipelinePauseBackoff', () => {
  it.each([
    { pauses: 1, attempt: 1 },
    { pauses: 2, attempt: 2 },
    { pauses: 9, attempt: 9 },
    { pauses: 500, attempt: 20 },
  ])('doubles from 1 s up to the cap when the pipeline paused $pauses times in a row', ({ pauses, attempt }) => {
    expect(pipelinePauseBackoff(pauses, 300_000)).toEqual({ attempt, baseMs: 1000, capMs: 300_000 });
  });
});

describe('quarantineEntry', () => {
  it('names the whole object (record 0) with the error code and reason when an object is quarantined', () => {
    const object = { bucket: 'logs', key: 'a.log.gz', etag: 'e1', size: 10, lastModified: new Date(0) };
    const entry = quarantineEntry('alb', object, new DecompressError('bad'), 'bad (after 3 attempts)');
    expect(entry).toEqual({
      pipeline: 'alb',
      bucket: 'logs',
      key: 'a.log.gz',
      etag: 'e1',
      record: 0,
      code: 'ERR_DECOMPRESS',
      reason: 'bad (after 3 attempts)',
      at: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
  });
});
