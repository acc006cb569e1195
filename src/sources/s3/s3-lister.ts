import { type _Object, ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { ListWindow } from '../../core/components.js';
import { matchKeyTemplate } from './key-template.js';
import {
  CLOUDFRONT_DISTRIBUTION,
  CLOUDFRONT_NAME,
  DIRECTORY_LAYOUTS,
  IGNORED_FOLDERS,
  S3_ACCESS_NAME,
  S3_ACCESS_PARTITIONED,
} from './layouts.js';
import type { PartitionPattern } from './partition-pattern.js';
import {
  type PartitionListing,
  type PlanRange,
  planCloudFront,
  planPartitions,
  planRange,
  planS3AccessFlat,
} from './partition-planner.js';
import { toS3ReadError } from './s3-read-failure.js';
import type { S3Layout } from './s3-source-config.js';

/** A pattern part-way walked: `index` is the next segment to match, `vars` what earlier segments bound. */
interface Candidate {
  pattern: PartitionPattern;
  index: number;
  vars: Record<string, string>;
}

export interface S3ListerOptions {
  client: S3Client;
  bucket: string;
  layout: S3Layout;
  /** A custom `partition_pattern`, overriding the layout. */
  pattern?: PartitionPattern;
  logger: Logger;
  pipeline: string;
  /** Named in errors, so a denial names the right ARN partition. */
  region?: string;
  now?: () => Date;
}

interface Page {
  contents: _Object[];
  folders: string[];
}

/**
 * Lists the objects under one prefix that can be new in a window, walking only the
 * date partitions the window touches: non-date path segments (account, region, web ACL)
 * are discovered with Delimiter listings, date partitions are generated. Yields raw
 * listing entries, possibly a few older than the window; the caller filters.
 */
export class S3Lister {
  private readonly patterns: PartitionPattern[];
  private readonly auto: boolean;
  private readonly now: () => Date;
  /** Set when every pattern names its files (alb_connection, nlb): other log types in the same folders are left out. */
  private readonly fileMatchers?: RegExp[];

  constructor(private readonly options: S3ListerOptions) {
    this.patterns = options.pattern ? [options.pattern] : DIRECTORY_LAYOUTS[options.layout];
    this.auto = !options.pattern && options.layout === 'auto';
    this.now = options.now ?? (() => new Date());
    const matchers = this.patterns.flatMap((p) => (p.fileMatcher ? [p.fileMatcher] : []));
    if (matchers.length > 0 && matchers.length === this.patterns.length) this.fileMatchers = matchers;
  }

  /** The layout's objects under `prefix`: only its own log type's files when the layout names them. */
  async *list(prefix: string, window: ListWindow, signal?: AbortSignal): AsyncGenerator<_Object> {
    const matchers = this.fileMatchers;
    for await (const object of this.listLayout(prefix, window, signal)) {
      if (matchers === undefined) yield object;
      else {
        const key = object.Key ?? '';
        const name = key.slice(key.lastIndexOf('/') + 1);
        if (matchers.some((m) => m.test(name))) yield object;
      }
    }
  }

  private async *listLayout(prefix: string, window: ListWindow, signal?: AbortSignal): AsyncGenerator<_Object> {
    const { since } = window;
    if (since === null || (!this.options.pattern && this.options.layout === 'none')) {
      yield* this.listAll({ prefix }, signal);
      return;
    }
    const hourly = planRange({ since, until: window.until }, 'hour', this.now());
    if (!this.options.pattern && this.options.layout === 'cloudfront') {
      yield* this.cloudFront(prefix, hourly, signal);
      return;
    }
    if (!this.options.pattern && this.options.layout === 's3_access') {
      yield* this.s3Access(prefix, { since, until: window.until }, hourly, signal);
      return;
    }
    if (this.reachesIntoDates(prefix)) {
      // The prefix already names a date partition (`.../2024/05/`): it is narrow, list it whole.
      this.options.logger.warn(
        { bucket: this.options.bucket, prefix },
        'prefix reaches into the date partitions of its layout; listed in full every poll',
      );
      yield* this.listAll({ prefix }, signal);
      return;
    }
    yield* this.directory(prefix, this.align(prefix), { since, until: window.until }, signal);
  }

  private reachesIntoDates(prefix: string): boolean {
    const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const segments = dir === '' ? [] : dir.slice(0, -1).split('/');
    return this.patterns.some((pattern) =>
      segments.some((_, start) => {
        const tail = segments.slice(start);
        return (
          tail.length > pattern.dateIndex &&
          tail.length <= pattern.segments.length &&
          tail.every((segment, i) => matchKeyTemplate(pattern.segments[i]!, segment) !== null)
        );
      }),
    );
  }

  /** Candidates at `prefix`: the prefix may already spell the pattern's first segments (`AWSLogs/123/`). */
  private align(prefix: string): Candidate[] {
    const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const segments = dir === '' ? [] : dir.slice(0, -1).split('/');
    const candidates: Candidate[] = [];
    for (const pattern of this.patterns) {
      for (let start = 0; start <= segments.length; start++) {
        const tail = segments.slice(start);
        if (tail.length > pattern.dateIndex) continue;
        const vars: Record<string, string> = {};
        const matched = tail.every((segment, i) => {
          // i < tail.length <= dateIndex < segments.length
          const bound = matchKeyTemplate(pattern.segments[i]!, segment);
          if (bound) Object.assign(vars, bound);
          return bound !== null;
        });
        if (matched) {
          candidates.push({ pattern, index: tail.length, vars });
          break;
        }
      }
    }
    return candidates;
  }

  private async *directory(
    prefix: string,
    candidates: Candidate[],
    window: ListWindow & { since: Date },
    signal?: AbortSignal,
  ): AsyncGenerator<_Object> {
    const complete = prefix === '' || prefix.endsWith('/');
    const ready = complete ? candidates.filter((c) => c.index === c.pattern.dateIndex) : [];
    const [first] = ready;
    if (first) {
      const { pattern, vars } = first;
      const range = planRange(window, pattern.unit, this.now());
      for (const listing of planPartitions(prefix, pattern, vars, range)) yield* this.listAll(listing, signal);
      return;
    }
    if (complete && !this.auto && candidates.length > 0) {
      // None is ready: each stands before its pattern's date segments.
      const next = candidates.map((c) => c.pattern.segments[c.index]!);
      if (next.every((s) => s.parts.every((p) => p.kind === 'text'))) {
        // Literal segments of a configured layout need no request.
        for (const literal of new Set(next.map((s) => s.source))) {
          const advanced = this.advance(candidates, literal);
          yield* this.directory(`${prefix}${literal}/`, advanced, window, signal);
        }
        return;
      }
    }
    let firstPage = true;
    for await (const page of this.pages({ prefix, delimiter: '/' }, signal)) {
      if (firstPage && this.auto) {
        const flat = this.flatLayout(prefix, page.contents);
        if (flat === 'cloudfront') {
          yield* this.cloudFront(prefix, planRange(window, 'hour', this.now()), signal);
          return;
        }
        if (flat === 's3_access') {
          yield* this.s3Access(prefix, window, planRange(window, 'hour', this.now()), signal);
          return;
        }
      }
      firstPage = false;
      yield* page.contents;
      for (const folder of page.folders) {
        const segment = folder.slice(folder.lastIndexOf('/', folder.length - 2) + 1, -1);
        const advanced = complete ? this.advance(candidates, segment) : this.align(folder);
        if (advanced.length > 0) yield* this.directory(folder, advanced, window, signal);
        else if (this.auto && !IGNORED_FOLDERS.has(segment))
          yield* this.directory(folder, this.align(folder), window, signal);
        else this.options.logger.debug({ bucket: this.options.bucket, prefix: folder }, 'folder outside the layout');
      }
    }
  }

  private advance(candidates: Candidate[], segment: string): Candidate[] {
    const advanced: Candidate[] = [];
    for (const c of candidates) {
      if (c.index >= c.pattern.dateIndex) continue;
      const bound = matchKeyTemplate(c.pattern.segments[c.index]!, segment);
      if (bound) advanced.push({ pattern: c.pattern, index: c.index + 1, vars: { ...c.vars, ...bound } });
    }
    return advanced;
  }

  private flatLayout(prefix: string, contents: _Object[]): 'cloudfront' | 's3_access' | null {
    for (const object of contents) {
      const name = (object.Key ?? '').slice(prefix.length);
      if (CLOUDFRONT_NAME.test(name)) return 'cloudfront';
      if (S3_ACCESS_NAME.test(name)) return 's3_access';
    }
    return null;
  }

  /** CloudFront: distribution ids by Delimiter '.', then each distribution's names from the window's hour on. */
  private async *cloudFront(prefix: string, range: PlanRange, signal?: AbortSignal): AsyncGenerator<_Object> {
    const distributions: string[] = [];
    for await (const page of this.pages({ prefix, delimiter: '.' }, signal)) {
      yield* page.contents;
      for (const folder of page.folders) {
        const id = folder.slice(prefix.length, -1);
        if (CLOUDFRONT_DISTRIBUTION.test(id)) distributions.push(folder);
      }
    }
    for (const distribution of distributions) yield* this.listAll(planCloudFront(distribution, range), signal);
  }

  /**
   * S3 server access logs: flat names `<prefix>YYYY-mm-DD-HH-MM-SS-...` from the window's second on,
   * and date-partitioned `<prefix><account>/<region>/<bucket>/YYYY/MM/DD/` folders.
   */
  private async *s3Access(
    prefix: string,
    window: ListWindow & { since: Date },
    range: PlanRange,
    signal?: AbortSignal,
  ): AsyncGenerator<_Object> {
    const folders: string[] = [];
    let firstFlat: string | undefined;
    // Account folders sorting before the flat names; stop at the first flat name (older objects follow).
    for await (const page of this.pages({ prefix, delimiter: '/' }, signal)) {
      const flat = page.contents.find((o) => S3_ACCESS_NAME.test((o.Key ?? '').slice(prefix.length)));
      firstFlat = flat?.Key;
      for (const object of page.contents) if (!firstFlat || (object.Key ?? '') < firstFlat) yield object;
      folders.push(...page.folders.filter((f) => !firstFlat || f < firstFlat));
      if (firstFlat) break;
    }
    if (firstFlat) {
      const listing = planS3AccessFlat(prefix, range);
      for await (const page of this.pages({ prefix, delimiter: '/', startAfter: listing.startAfter }, signal)) {
        for (const object of page.contents) if ((object.Key ?? '') <= listing.stopAfter!) yield object;
        folders.push(...page.folders);
      }
    }
    const root: Candidate = { pattern: S3_ACCESS_PARTITIONED, index: 0, vars: {} };
    for (const folder of folders) {
      const advanced = this.advance([root], folder.slice(prefix.length, -1));
      if (advanced.length > 0) yield* this.directory(folder, advanced, window, signal);
    }
  }

  /** Every key of a listing, following continuation tokens; stops past `stopAfter`. */
  private async *listAll(listing: PartitionListing, signal?: AbortSignal): AsyncGenerator<_Object> {
    for await (const page of this.pages({ prefix: listing.prefix, startAfter: listing.startAfter }, signal)) {
      for (const object of page.contents) {
        if (listing.stopAfter !== undefined && (object.Key ?? '') > listing.stopAfter) return;
        yield object;
      }
    }
  }

  private async *pages(
    request: { prefix: string; delimiter?: string; startAfter?: string },
    signal?: AbortSignal,
  ): AsyncGenerator<Page> {
    let token: string | undefined;
    do {
      let output: ListObjectsV2CommandOutput;
      try {
        output = await this.options.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: request.prefix || undefined,
            Delimiter: request.delimiter,
            StartAfter: token ? undefined : request.startAfter,
            ContinuationToken: token,
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw toS3ReadError(error, {
          pipeline: this.options.pipeline,
          bucket: this.options.bucket,
          prefix: request.prefix,
          operation: 'ListObjectsV2',
          ...(this.options.region ? { region: this.options.region } : {}),
        });
      }
      yield {
        contents: output.Contents ?? [],
        folders: (output.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
      };
      token = output.IsTruncated ? output.NextContinuationToken : undefined;
    } while (token);
  }
}
