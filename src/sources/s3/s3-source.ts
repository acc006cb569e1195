import type { Readable } from 'node:stream';
import { type _Object, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ComponentContext, ListWindow, Source } from '../../core/components.js';
import type { SourceObject } from '../../core/event.js';
import { countedRead } from '../counted-read.js';
import { inWindow } from '../in-window.js';
import { parsePartitionPattern } from './partition-pattern.js';
import { S3Clients } from './s3-clients.js';
import { S3Lister } from './s3-lister.js';
import { toS3ReadError } from './s3-read-failure.js';
import { type S3SourceConfig, s3Prefixes } from './s3-source-config.js';

export interface S3SourceOptions {
  /** A ready client for every region (tests count its requests); built from the config otherwise. */
  client?: S3Client;
  now?: () => Date;
}

function stripQuotes(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}

/** Reads objects from one bucket under one or more prefixes. */
export class S3Source implements Source {
  readonly type = 's3';
  readonly location: string;
  /** One client per bucket region, with the source's credentials; notification mode heads objects through them too. */
  readonly clients: S3Clients;
  private readonly listers: S3Lister;
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  private readonly skipClasses: Set<string>;
  /** Objects already reported as skipped (key → LastModified ms), so each is warned and counted once. */
  private readonly skipped = new Map<string, number>();

  constructor(
    private readonly config: S3SourceConfig,
    private readonly context: ComponentContext,
    options: S3SourceOptions = {},
  ) {
    this.location = config.bucket;
    this.clients = new S3Clients(config, context.pipeline, options.client);
    this.listers = new S3Lister({
      client: this.clients.source,
      bucket: config.bucket,
      layout: config.layout,
      pattern: config.partition_pattern ? parsePartitionPattern(config.partition_pattern) : undefined,
      logger: context.logger,
      pipeline: context.pipeline,
      region: config.region,
      now: options.now,
    });
    this.include = config.include.map((r) => new RegExp(r));
    this.exclude = config.exclude.map((r) => new RegExp(r));
    this.skipClasses = new Set(config.skip_storage_classes);
  }

  async *list(window: ListWindow, signal?: AbortSignal): AsyncIterable<SourceObject> {
    // start_time is the runner's: it already bounds `since` of a live window (never a backfill's).
    const since = window.since;
    const effective: ListWindow = { since, until: window.until ?? null, selectBy: window.selectBy };
    this.pruneSkipped(since);
    const seen = new Set<string>();
    for (const prefix of s3Prefixes(this.config)) {
      for await (const entry of this.listers.list(prefix, effective, signal)) {
        const object = this.accept(entry, effective);
        // Overlapping prefixes list a key twice; the pipeline should see it once.
        if (object && !seen.has(object.key)) {
          seen.add(object.key);
          yield object;
        }
      }
    }
  }

  private accept(entry: _Object, window: ListWindow): SourceObject | null {
    const key = entry.Key;
    if (!key || key.endsWith('/') || !entry.LastModified) return null;
    const lastModified = entry.LastModified;
    if (!inWindow(key, lastModified, window)) return null;
    if (this.include.length > 0 && !this.include.some((r) => r.test(key))) return null;
    if (this.exclude.some((r) => r.test(key))) return null;
    const size = entry.Size ?? 0;
    const storageClass = entry.StorageClass;
    if (size === 0) {
      this.skip(key, lastModified, 'empty');
      return null;
    }
    if (storageClass && this.skipClasses.has(storageClass)) {
      if (this.skip(key, lastModified, 'storage_class')) {
        this.context.logger.warn(
          { bucket: this.config.bucket, key, storageClass },
          'object skipped: its storage class needs a restore before it can be read',
        );
      }
      return null;
    }
    return {
      bucket: this.config.bucket,
      key,
      etag: stripQuotes(entry.ETag ?? ''),
      size,
      lastModified,
      ...(storageClass ? { storageClass } : {}),
    };
  }

  /** Counts a skip once per object version; returns whether it is new. */
  private skip(key: string, lastModified: Date, reason: string): boolean {
    const id = `${key}\0${lastModified.getTime()}`;
    if (this.skipped.has(id)) return false;
    this.skipped.set(id, lastModified.getTime());
    this.context.metrics.objectsSkipped.inc({ pipeline: this.context.pipeline, reason });
    return true;
  }

  private pruneSkipped(since: Date | null): void {
    if (!since) return;
    for (const [id, at] of this.skipped) if (at < since.getTime()) this.skipped.delete(id);
  }

  /** What every error of this source names: the region makes the ARNs in denials right (aws-cn, aws-us-gov). */
  private errorContext(): { pipeline: string; bucket: string; region?: string } {
    const { pipeline } = this.context;
    return { pipeline, bucket: this.config.bucket, ...(this.config.region ? { region: this.config.region } : {}) };
  }

  /** An object's: notification mode reads it in the region its record names. */
  private objectContext(object: SourceObject): { pipeline: string; bucket: string; key: string; region?: string } {
    const region = object.region ?? this.config.region;
    return { pipeline: this.context.pipeline, bucket: object.bucket, key: object.key, ...(region ? { region } : {}) };
  }

  async stat(key: string, signal?: AbortSignal): Promise<SourceObject | null> {
    const context = { ...this.errorContext(), key, operation: 'HeadObject' };
    try {
      const head = await this.clients.source.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }), {
        abortSignal: signal,
      });
      return {
        bucket: this.config.bucket,
        key,
        etag: stripQuotes(head.ETag ?? ''),
        size: head.ContentLength ?? 0,
        lastModified: head.LastModified ?? new Date(0),
        ...(head.StorageClass ? { storageClass: head.StorageClass } : {}),
      };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const failure = toS3ReadError(error, context);
      if (failure.gone === 'deleted') return null;
      throw failure;
    }
  }

  async readRange(object: SourceObject, start: number, end: number, signal?: AbortSignal): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    const context = { ...this.objectContext(object), operation: 'GetObject', range: `${start}-${end - 1}` };
    try {
      const output = await this.clients.forRegion(object.region).send(
        new GetObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          Range: `bytes=${start}-${end - 1}`,
          // Every range from the version that was listed (412 when it was rewritten since).
          ...(object.etag ? { IfMatch: `"${object.etag}"` } : {}),
        }),
        { abortSignal: signal },
      );
      if (!output.Body) throw new Error('GetObject returned no body');
      const bytes = Buffer.from(await output.Body.transformToByteArray());
      this.context.metrics.bytesRead.inc({ pipeline: this.context.pipeline }, bytes.length);
      return bytes;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toS3ReadError(error, context);
    }
  }

  async open(object: SourceObject, signal?: AbortSignal): Promise<Readable> {
    const context = { ...this.objectContext(object), operation: 'GetObject' };
    let body: Readable;
    try {
      const output = await this.clients.forRegion(object.region).send(
        new GetObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          // The version that was listed, or nothing: never half of an older one and half of a newer one.
          ...(object.etag ? { IfMatch: `"${object.etag}"` } : {}),
        }),
        { abortSignal: signal },
      );
      if (!output.Body) throw new Error('GetObject returned no body');
      body = output.Body as Readable;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toS3ReadError(error, context);
    }
    // A connection dropped mid-object is transient: the pipeline retries the object.
    return countedRead(body, this.context, signal, (error) => toS3ReadError(error, context));
  }
}
