import type { S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../../src/core/errors.js';
import { headNotifiedObject, type NotifiedHead } from '../../../../src/sources/s3/notifications/notified-object.js';
import type { S3Clients } from '../../../../src/sources/s3/s3-clients.js';

const lastModified = new Date('2026-11-30T10:00:00Z');

/** Clients that answer every HeadObject with `answer` (or throw it) and record the region and input asked for. */
function setUp(answer: Record<string, unknown> | Error, region?: string) {
  const asked: { region: string | undefined; input: unknown }[] = [];
  const warnings: unknown[] = [];
  const clients = {
    forRegion: (wanted: string | undefined) =>
      ({
        send: async (command: { input: unknown }) => {
          asked.push({ region: wanted, input: command.input });
          if (answer instanceof Error) throw answer;
          return answer;
        },
      }) as unknown as S3Client,
  } as unknown as S3Clients;
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
  const head: NotifiedHead = {
    clients,
    object: { bucket: 'logs', key: 'AWSLogs/a.log.gz', etag: 'e1', size: 10, ...(region ? { region } : {}) },
    pipeline: 'p',
    skipStorageClasses: new Set(['GLACIER', 'DEEP_ARCHIVE']),
    logger,
  };
  return { head, asked, warnings };
}

const signal = new AbortController().signal;

describe('headNotifiedObject', () => {
  it('heads the version pinned to its ETag in the region its record names, and keeps that region for the reads', async () => {
    const { head, asked } = setUp({ ContentLength: 42, LastModified: lastModified }, 'eu-west-1');
    expect(await headNotifiedObject(head, signal)).toEqual({
      bucket: 'logs',
      key: 'AWSLogs/a.log.gz',
      etag: 'e1',
      size: 42,
      lastModified,
      region: 'eu-west-1',
    });
    expect(asked).toEqual([
      { region: 'eu-west-1', input: { Bucket: 'logs', Key: 'AWSLogs/a.log.gz', IfMatch: '"e1"' } },
    ]);
  });

  it("heads in the source's region when the record names none", async () => {
    const { head, asked } = setUp({ ContentLength: 42, LastModified: lastModified, StorageClass: 'STANDARD_IA' });
    expect(await headNotifiedObject(head, signal)).toMatchObject({ storageClass: 'STANDARD_IA' });
    expect(asked[0]?.region).toBeUndefined();
  });

  it.each(['GLACIER', 'DEEP_ARCHIVE'])(
    'throws a version gone for storage_class, and warns, when the object is in %s',
    async (storageClass) => {
      const { head, warnings } = setUp({ ContentLength: 42, LastModified: lastModified, StorageClass: storageClass });
      const failure = await headNotifiedObject(head, signal).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SourceReadError);
      expect(failure).toMatchObject({ code: 'ERR_S3_READ', gone: 'storage_class', retryable: false, level: 'object' });
      expect((failure as SourceReadError).context).toMatchObject({ bucket: 'logs', storageClass });
      expect(warnings).toEqual([
        expect.objectContaining({
          storageClass,
          key: 'AWSLogs/a.log.gz',
          msg: 'object skipped: its storage class needs a restore before it can be read',
        }),
      ]);
    },
  );

  it('reads an archived class the source does not skip', async () => {
    const { head } = setUp({ ContentLength: 42, LastModified: lastModified, StorageClass: 'GLACIER_IR' });
    expect(await headNotifiedObject(head, signal)).toMatchObject({ storageClass: 'GLACIER_IR', size: 42 });
  });

  it.each([
    [404, 'deleted'],
    [412, 'rewritten'],
  ])('throws a version gone when HeadObject answers %i', async (status, gone) => {
    const answer = Object.assign(new Error('gone'), { name: 'Gone', $metadata: { httpStatusCode: status } });
    const { head } = setUp(answer, 'eu-west-1');
    const failure = await headNotifiedObject(head, signal).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ERR_S3_READ', gone });
    expect((failure as SourceReadError).context).toMatchObject({ region: 'eu-west-1', operation: 'HeadObject' });
  });
});
