import { describe, expect, it } from 'vitest';
import { isS3ConfigUri, parseS3ConfigUri, s3Problem } from '../../src/config/s3-config-files.js';
import { ConfigError } from '../../src/core/errors.js';

describe('parseS3ConfigUri', () => {
  it.each([
    ['s3://cfg/pipelines/', { kind: 'prefix', bucket: 'cfg', prefix: 'pipelines/' }],
    ['s3://cfg/pipelines', { kind: 'prefix', bucket: 'cfg', prefix: 'pipelines/' }],
    ['s3://cfg/a/b/', { kind: 'prefix', bucket: 'cfg', prefix: 'a/b/' }],
    ['s3://cfg', { kind: 'prefix', bucket: 'cfg', prefix: '' }],
    ['s3://cfg/', { kind: 'prefix', bucket: 'cfg', prefix: '' }],
    ['s3://my.cfg-bucket/sluice/alb.yml', { kind: 'object', bucket: 'my.cfg-bucket', key: 'sluice/alb.yml' }],
    ['s3://cfg/waf.yaml', { kind: 'object', bucket: 'cfg', key: 'waf.yaml' }],
    ['s3://cfg/notes.txt', { kind: 'prefix', bucket: 'cfg', prefix: 'notes.txt/' }],
  ])('reads %s as %j', (uri, expected) => {
    expect(parseS3ConfigUri(uri)).toEqual(expected);
  });

  it.each(['s3://', 's3:///key.yml', 's3://Upper/key.yml', 's3://ab/', 's3://bad_name/'])(
    'refuses %s with a problem naming the URI when it names no bucket',
    (uri) => {
      const error = (() => {
        try {
          parseS3ConfigUri(uri);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]).toMatchObject({ file: uri, line: 0, column: 0 });
      expect((error as ConfigError).message).toContain('is not a bucket name; write s3://BUCKET/PREFIX/');
    },
  );
});

describe('isS3ConfigUri', () => {
  it.each([
    ['s3://cfg/', true],
    ['pipelines', false],
    ['/etc/sluice/pipelines', false],
    ['./s3://odd', false],
  ])('says %s is %s', (path, expected) => {
    expect(isS3ConfigUri(path)).toBe(expected);
  });
});

describe('s3Problem', () => {
  const uri = 's3://cfg/pipelines/';
  it.each([
    [
      'names the action, resource and prefix when listing is denied',
      { name: 'AccessDenied', message: 'Access Denied', $metadata: { httpStatusCode: 403 } },
      ['s3:ListBucket', 'arn:aws:s3:::cfg', 'with s3:prefix "pipelines/"'],
      'allow s3:ListBucket on arn:aws:s3:::cfg with s3:prefix "pipelines/" to the task role',
    ],
    [
      'names the object when reading is denied',
      { name: 'AccessDenied', message: 'Access Denied', $metadata: { httpStatusCode: 403 } },
      ['s3:GetObject', 'arn:aws:s3:::cfg/pipelines/a.yml'],
      'allow s3:GetObject on arn:aws:s3:::cfg/pipelines/a.yml to the task role',
    ],
    [
      'says the bucket is missing when S3 says NoSuchBucket',
      { name: 'NoSuchBucket', message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } },
      ['s3:ListBucket', 'arn:aws:s3:::cfg'],
      'no such bucket',
    ],
    [
      'says the object is missing when S3 says NoSuchKey',
      { name: 'NoSuchKey', message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } },
      ['s3:GetObject', 'arn:aws:s3:::cfg/a.yml'],
      'no such object',
    ],
    [
      'says the credentials are unusable when the key is unknown',
      { name: 'InvalidAccessKeyId', message: 'no such key id', $metadata: { httpStatusCode: 403 } },
      ['s3:ListBucket', 'arn:aws:s3:::cfg'],
      'no usable AWS credentials',
    ],
    [
      'names the endpoint settings when S3 cannot be reached',
      { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1' },
      ['s3:ListBucket', 'arn:aws:s3:::cfg'],
      'check AWS_REGION and AWS_ENDPOINT_URL',
    ],
    [
      'asks for path-style addressing when the virtual-hosted name of the bucket does not resolve',
      { name: 'Error', message: 'getaddrinfo ENOTFOUND cfg.minio', code: 'ENOTFOUND', hostname: 'cfg.minio' },
      ['s3:ListBucket', 'arn:aws:s3:::cfg'],
      'cfg.minio does not resolve; for an S3-compatible endpoint set SLUICE_CONFIG_S3_FORCE_PATH_STYLE=true',
    ],
  ])('%s', (_, fault, [action, resource, condition], expected) => {
    const error = Object.assign(new Error(fault.message), fault);
    const problem = s3Problem(uri, error, action!, resource!, condition).problems[0]!;
    expect(problem).toMatchObject({ file: uri, line: 0, column: 0, path: '' });
    expect(problem.message).toContain(expected);
  });
});
