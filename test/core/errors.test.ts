import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  ConfigError,
  DecompressError,
  errorCode,
  errorLevel,
  errorStage,
  OutputError,
  RecordParseError,
  SourceReadError,
} from '../../src/core/errors.js';

describe('SluiceError', () => {
  it.each([
    { error: new ConfigError([]), code: 'ERR_CONFIG_INVALID', level: 'pipeline', stage: 'processing' },
    { error: new RecordParseError('bad line'), code: 'ERR_RECORD_PARSE', level: 'record', stage: 'processing' },
    { error: new DecompressError('bad gzip'), code: 'ERR_DECOMPRESS', level: 'object', stage: 'receiving' },
    {
      error: new SourceReadError('ERR_FILE_READ', 'gone', { retryable: false, gone: 'deleted' }),
      code: 'ERR_FILE_READ',
      level: 'object',
      stage: 'receiving',
    },
    {
      error: new OutputError('ERR_OUTPUT_UNREACHABLE', 'down'),
      code: 'ERR_OUTPUT_UNREACHABLE',
      level: 'pipeline',
      stage: 'sending',
    },
    {
      error: new OutputError('ERR_DEAD_LETTER_WRITE', 'full'),
      code: 'ERR_DEAD_LETTER_WRITE',
      level: 'pipeline',
      stage: 'sending',
    },
    { error: new CheckpointError('denied'), code: 'ERR_CHECKPOINT', level: 'pipeline', stage: 'receiving' },
    { error: new Error('a bug'), code: 'ERR_UNEXPECTED', level: 'pipeline', stage: 'processing' },
    { error: 'a string', code: 'ERR_UNEXPECTED', level: 'pipeline', stage: 'processing' },
  ])(
    'takes level $level and stage $stage from the code table when the code is $code',
    ({ error, code, level, stage }) => {
      expect(errorCode(error)).toBe(code);
      expect(errorLevel(error)).toBe(level);
      expect(errorStage(error)).toBe(stage);
      if (error instanceof Error && 'stage' in error) expect(error).toMatchObject({ level, stage });
    },
  );
});

describe('SourceReadError', () => {
  it('carries retryable and gone, and logs them with its context, when a version is gone', () => {
    const error = new SourceReadError('ERR_S3_READ', 'GetObject failed', {
      retryable: false,
      gone: 'rewritten',
      context: { bucket: 'logs', key: 'a.log' },
      hint: 'look',
    });
    expect(error).toMatchObject({ code: 'ERR_S3_READ', retryable: false, gone: 'rewritten', hint: 'look' });
    expect(error.toJSON()).toMatchObject({ bucket: 'logs', key: 'a.log', retryable: false, gone: 'rewritten' });
  });

  it('has no gone when the read may pass on a retry', () => {
    const error = new SourceReadError('ERR_FILE_READ', 'busy', { retryable: true });
    expect(error.gone).toBeUndefined();
    expect(error.toJSON()).not.toHaveProperty('gone');
  });
});
