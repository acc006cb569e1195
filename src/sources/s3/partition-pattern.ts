import { type DateToken, type KeyTemplate, parseKeyTemplate } from './key-template.js';

export type PartitionUnit = 'month' | 'day' | 'hour';

/**
 * A directory layout: segments after the prefix, non-date ones first (discovered by
 * delimiter listings), then date segments (generated from the window). Minutes are
 * not worth a request each: a trailing `{mm}` segment becomes a StartAfter inside the hour.
 */
export interface PartitionPattern {
  readonly source: string;
  /** Every directory segment (without '/'). */
  readonly segments: KeyTemplate[];
  /** Index of the first date segment: segments before it are discovered. */
  readonly dateIndex: number;
  /** Unit of one listed partition. */
  readonly unit: PartitionUnit;
  /** Rendered with the window's start to a StartAfter inside the first partition (file names that encode time). */
  readonly startAfter?: KeyTemplate;
  /**
   * How the names of this log type's files start inside a partition, rendered with the discovered
   * variables and appended to each listed prefix: one folder can hold several log types (an ALB's
   * access and connection logs, an NLB's access logs), and a listing then returns only this one.
   */
  readonly filePrefix?: KeyTemplate;
  /** The file prefix as a test of a file name (without its folders), variables matching any segment text. */
  readonly fileMatcher?: RegExp;
}

const ORDER: DateToken[] = ['yyyy', 'MM', 'dd', 'HH', 'mm'];
const UNIT_OF: Partial<Record<DateToken, PartitionUnit>> = { MM: 'month', dd: 'day', HH: 'hour' };

export interface PatternOptions {
  /** Regular expressions restricting `{name}` variables. */
  constraints?: Record<string, string>;
  /** A file-name prefix template that sorts by time inside a partition. */
  fileStartAfter?: string;
  /** A file-name prefix template every file of the log type starts with (see PartitionPattern.filePrefix). */
  filePrefix?: string;
}

/** Parses `AWSLogs/{account}/elasticloadbalancing/{region}/{yyyy}/{MM}/{dd}/`; throws a message fit for a config error. */
export function parsePartitionPattern(source: string, options: PatternOptions = {}): PartitionPattern {
  if (!source.endsWith('/')) throw new Error(`partition pattern "${source}" must end with "/"`);
  if (source.startsWith('/')) throw new Error(`partition pattern "${source}" must not start with "/"`);
  const raw = source.slice(0, -1).split('/');
  if (raw.some((s) => s === '')) throw new Error(`partition pattern "${source}" has an empty segment`);
  let segments = raw.map((s) => parseKeyTemplate(s, options.constraints));
  const dateIndex = segments.findIndex((s) => s.dateTokens.length > 0);
  if (dateIndex < 0) throw new Error(`partition pattern "${source}" has no date part such as {yyyy}/{MM}/{dd}`);
  const dateSegments = segments.slice(dateIndex);
  if (dateSegments.some((s) => s.dateTokens.length === 0 || s.parts.some((p) => p.kind === 'var'))) {
    throw new Error(`partition pattern "${source}": date segments must come last and hold no {name} variables`);
  }
  const tokens = dateSegments.flatMap((s) => s.dateTokens);
  const expected = ORDER.slice(0, tokens.length);
  if (tokens.length > ORDER.length || tokens.some((t, i) => t !== expected[i])) {
    throw new Error(
      `partition pattern "${source}": date parts must be {yyyy}, then {MM}, {dd}, {HH}, {mm} in this order, without gaps`,
    );
  }
  if (tokens.length === 1) throw new Error(`partition pattern "${source}": a year alone is too coarse; add {MM}`);
  let startAfter = options.fileStartAfter ? parseKeyTemplate(options.fileStartAfter, options.constraints) : undefined;
  // At least two tokens (checked above), each in a segment of its own or shared with the others.
  let finest = tokens[tokens.length - 1]!;
  if (finest === 'mm') {
    const last = segments[segments.length - 1]!;
    if (last.dateTokens.length !== 1) {
      throw new Error(`partition pattern "${source}": {mm} must be a segment of its own`);
    }
    startAfter = last;
    segments = segments.slice(0, -1);
    finest = 'HH';
  }
  const filePrefix = options.filePrefix ? parseKeyTemplate(options.filePrefix, options.constraints) : undefined;
  // The template's matcher is anchored at both ends: without its final `$` it tests a name's start.
  const fileMatcher = filePrefix ? new RegExp(filePrefix.matcher.source.slice(0, -1)) : undefined;
  return { source, segments, dateIndex, unit: UNIT_OF[finest]!, startAfter, filePrefix, fileMatcher };
}
